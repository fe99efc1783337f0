import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'engine',
          sequence: { groupOrder: 1 },
          include: [
            'test/integration/**/*.test.ts',
            'test/contract/**/*.test.ts',
            'test/security/**/*.test.ts',
            'test/faults/**/*.test.ts',
          ],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Engine tests are I/O bound; a few files at once keep a 2-core machine busy without thrashing it.
          maxWorkers: 3,
        },
      },
    ],
  },
});
