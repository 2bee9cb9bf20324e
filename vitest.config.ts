import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Workers, dev server and database are shared by the run; each file has its own task queue and IDs.
    fileParallelism: true,
    // In CI a JSON report too, from which .ci/run prints the plain `N passed, N failed` line.
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: '.data/test-results.json' }]]
      : ['default'],
  },
});
