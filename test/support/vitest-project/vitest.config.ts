import { defineConfig } from 'vitest/config';

// A project of its own, run by test/integration/vitest/sandbox-test.test.ts as a user's suite would run.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    globalSetup: ['./global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
  },
});
