// @ts-check
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** What workflow code may never import: it runs in Temporal's deterministic sandbox (STYLE.md rule 2). */
const sandboxBans = {
  paths: [
    ...builtinModules
      .filter((m) => !m.startsWith('_'))
      .flatMap((m) => [m, `node:${m}`])
      .map((name) => ({
        name,
        message: 'Workflow code runs in a deterministic sandbox: no Node built-ins. Do this in an activity.',
      })),
    ...['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'].map(
      (name) => ({
        name,
        message: 'Workflows use @temporalio/workflow only.',
      }),
    ),
    ...['drizzle-orm', 'postgres', '@electric-sql/pglite', 'fastify'].map((name) => ({
      name,
      message: 'Workflows touch no database or server: call an activity.',
    })),
  ],
  patterns: [
    {
      group: ['**/db', '**/db/**', '**/api', '**/api/**', '**/worker/**', '**/platform/**'],
      message: 'Workflows import no database, API, worker or platform code.',
    },
    {
      group: ['**/activities', '**/activities/**'],
      allowTypeImports: true,
      message: 'Workflows see activities only as types: `import type`, then proxyActivities.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.tools/', 'dist/', 'db/migrations/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', sandboxBans],
      'no-console': 'error',
    },
  },
  {
    files: ['domain/**/*.ts', 'catalog/schema.ts'],
    rules: {
      // Pure logic, imported by workflows: the same sandbox applies.
      '@typescript-eslint/no-restricted-imports': ['error', sandboxBans],
    },
  },
  {
    // Routes validate, call one service and answer (STYLE.md rule 11): the database, the workflows and
    // the Temporal client are the services' business.
    files: ['api/routes/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['drizzle-orm', '@temporalio/client', '@temporalio/common'].map((name) => ({
            name,
            message: 'Routes call a service in api/services/ for this.',
          })),
          patterns: [
            {
              group: ['**/db', '**/db/**', '**/workflows/**', '**/activities/**', '**/app'],
              message: 'Routes call a service in api/services/ for this, and take AppDeps from api/deps.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read JSON answers whose shape the assertions check.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
