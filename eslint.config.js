// @ts-check
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/**
 * Layers point one way (STYLE.md rule 11): api -> services -> db, Temporal client, contracts; workflows ->
 * contracts and domain; activities -> db, domain, contracts; domain imports nothing of ours but the
 * catalog's types. Each entry is an import pattern one layer or more must not use.
 */
const never = {
  api: {
    group: ['**/api', '**/api/**', '!@opentelemetry/api'],
    message: 'Only the entry points that build the app (platform/bootstrap, scripts, tests) import api/.',
  },
  platform: {
    group: ['**/platform', '**/platform/**'],
    message: 'Settings come in as arguments: only entry points read platform/.',
  },
  worker: {
    group: ['**/worker', '**/worker/**'],
    message: 'Only entry points start the worker.',
  },
  db: {
    group: ['**/db', '**/db/**'],
    message: 'Pure logic touches no database: the caller reads and writes.',
  },
  activities: {
    group: ['**/activities', '**/activities/**'],
    message: 'Activity code runs in the worker only: share through domain/, db/ or workflows/contracts.',
  },
  workflows: {
    group: ['**/workflows', '**/workflows/**'],
    message: 'Below the workflows: share through domain/.',
  },
  /** Activities see the workflows' contracts (their shared types and names), nothing else of workflows/. */
  workflowsButContracts: {
    // A regex, not a group: a group that names the folder itself could not let the contracts back in.
    regex: '(^|/)workflows(/(?!contracts$)[^/]+)?$',
    message: 'Activities take only the contracts from workflows/ (STYLE.md rule 1: the arrow runs one way).',
  },
  downstream: {
    group: ['**/downstream', '**/downstream/**'],
    message: 'Downstream systems are called from activities only.',
  },
  catalog: {
    group: ['**/catalog', '**/catalog/**'],
    message: 'The database sits below the catalog loader and store.',
  },
  catalogStorage: {
    group: ['**/catalog/load', '**/catalog/store'],
    message: 'The catalog loader and store use the file system and the database: only its types are pure.',
  },
};

/** What workflow code may never import: it runs in Temporal's deterministic sandbox (STYLE.md rule 2). */
const sandboxPaths = [
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
];
const sandboxPatterns = [
  {
    group: [
      '**/db',
      '**/db/**',
      '**/api',
      '**/api/**',
      '**/worker/**',
      '**/platform/**',
      '!@opentelemetry/api',
    ],
    message: 'Sandboxed code (workflows, domain/) imports no database, API, worker or platform code.',
  },
  never.downstream,
  never.catalogStorage,
];

/** Workflow code: the sandbox, and activities seen as types only, in the one file that proxies them. */
const workflowBans = (activityTypes) => [
  'error',
  {
    paths: sandboxPaths,
    patterns: [
      ...sandboxPatterns,
      {
        ...never.activities,
        ...(activityTypes ? { allowTypeImports: true } : {}),
        message: activityTypes
          ? 'Workflows see activities only as types: `import type`, then proxyActivities.'
          : 'Workflows see activities only through workflows/activity-proxies.ts.',
      },
    ],
  },
];

/** Layer rules for code outside the sandbox. */
const layerBans = (...patterns) => ['error', { patterns }];

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
      '@typescript-eslint/no-restricted-imports': workflowBans(false),
      'no-console': 'error',
    },
  },
  {
    files: ['workflows/activity-proxies.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': workflowBans(true) },
  },
  {
    files: ['activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layerBans(
        never.api,
        never.platform,
        never.worker,
        never.workflowsButContracts,
      ),
    },
  },
  {
    files: ['downstream/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layerBans(
        never.api,
        never.platform,
        never.worker,
        never.activities,
        never.workflows,
      ),
    },
  },
  {
    files: ['catalog/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layerBans(
        never.api,
        never.platform,
        never.worker,
        never.activities,
        never.workflows,
        never.downstream,
      ),
    },
  },
  {
    // Read models (an order as TMF shapes it): the API answers them, activities send them as events.
    files: ['views/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layerBans(
        never.api,
        never.platform,
        never.worker,
        never.activities,
        never.workflows,
        never.downstream,
      ),
    },
  },
  {
    files: ['db/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layerBans(
        never.api,
        never.platform,
        never.worker,
        never.activities,
        never.workflows,
        never.downstream,
        never.catalog,
      ),
    },
  },
  {
    // Pure logic, imported by workflows: the same sandbox applies, and nothing of the layers above.
    files: ['domain/**/*.ts', 'catalog/schema.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: sandboxPaths,
          patterns: [...sandboxPatterns, never.activities, never.workflows],
        },
      ],
    },
  },
  {
    // The API talks to workflows through their contracts (and their types, to start them by name).
    files: ['api/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layerBans(never.activities, {
        group: ['**/workflows/*', '!**/workflows/contracts', '!**/workflows/search-attributes'],
        allowTypeImports: true,
        message: 'The API uses the workflow contracts and search attributes; a workflow only as a type.',
      }),
    },
  },
  {
    files: ['worker/**/*.ts', 'platform/**/*.ts'],
    ignores: ['platform/bootstrap.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': layerBans(never.api) },
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
