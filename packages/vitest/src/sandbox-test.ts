import {
  type PoolOptions,
  type Runtime,
  type Sandbox,
  type SandboxPool,
  type SandboxSpec,
  Sandkit,
  type SandkitCreateOptions,
  type SandkitOptions,
} from '@sandkit/core';
import { test } from 'vitest';
import { attachLogsToFailure } from './attach-logs-to-failure.js';

/** Options of {@link sandboxTest}. */
export interface SandboxTestOptions {
  /**
   * Makes the runtimes to choose from. Called once per vitest worker, which
   * gets a `Sandkit` (and so a session and a watchdog) of its own.
   */
  runtimes: () => Runtime[];
  /**
   * The spec of the sandbox each test gets. Tests of a `describe` block can
   * use another: `it.override({ spec: { … } })` in it (vitest 3: `it.scoped`).
   */
  spec: SandboxSpec;
  /**
   * Options of each worker's `Sandkit`, but its runtimes.
   * @default Sandkit's defaults
   */
  sandkit?: Omit<SandkitOptions, 'runtimes'>;
  /**
   * Options of each create (the test's own `signal` is always added: a test
   * that times out cancels its sandbox's creation).
   * @default Sandkit's defaults
   */
  create?: Omit<SandkitCreateOptions, 'signal'>;
  /**
   * Take each test's sandbox from a warm pool of the worker's instead of
   * creating it when the test starts; each is still used by one test only.
   * The pool uses `create.runtime` (unless the pool options name another);
   * refills are queued at the pool's `refillPriority`, not `create.priority`.
   * @default no pool
   */
  pool?: PoolOptions;
  /**
   * How many of the sandbox's last log lines a failed test's error shows.
   * @default 50
   */
  logLines?: number;
}

/** What a {@link sandboxTest} test gets. */
export interface SandboxTestFixtures {
  /** The spec the test's sandbox is created from. */
  spec: SandboxSpec;
  /** A sandbox created from the spec for this test alone, destroyed after it. */
  sandbox: Sandbox;
}

/** What every test of a {@link sandboxTest} in one worker shares. */
export interface SandboxWorkerFixtures {
  /** The worker's `Sandkit`, closed (everything it made removed) when the worker ends. */
  sandkit: Sandkit;
}

/**
 * A vitest `test` whose tests get a throwaway `sandbox` (and the worker's
 * `sandkit`, for more): created from `options.spec` before the test, destroyed
 * after it, also when it fails or times out. A failed test's error shows the
 * sandbox's last log lines. Each worker has one `Sandkit`, so one session and
 * one watchdog: a worker that crashes has its sandboxes removed by its
 * watchdog, and `sandkitGlobalSetup` sweeps whatever is left after the run.
 *
 * @example
 * ```ts
 * const it = sandboxTest({ runtimes: () => [socket()], spec: { image: 'busybox' } });
 * it('runs a command', async ({ sandbox }) => {
 *   expect((await sandbox.exec(['echo', 'hi'])).stdout).toBe('hi\n');
 * });
 * ```
 */
export function sandboxTest(options: SandboxTestOptions) {
  const logLines = options.logLines ?? 50;
  const pools = new Map<SandboxSpec, SandboxPool>();
  return test.extend<SandboxTestFixtures & SandboxWorkerFixtures>({
    sandkit: [
      // biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixtures a fixture needs from its first parameter.
      async ({}, use) => {
        const sandkit = new Sandkit({ ...options.sandkit, runtimes: options.runtimes() });
        try {
          await use(sandkit);
        } finally {
          await sandkit.close();
        }
      },
      { scope: 'worker' },
    ],
    spec: options.spec,
    sandbox: async ({ sandkit, spec, signal, task }, use) => {
      const createOptions = { ...options.create, signal };
      let pool = pools.get(spec);
      if (!pool && options.pool) {
        // The pool makes its sandboxes with the runtime asked for each create.
        const runtime = options.create?.runtime;
        pool = sandkit.pool(spec, { ...(runtime ? { runtime } : {}), ...options.pool });
        pools.set(spec, pool);
      }
      const sandbox = pool ? await pool.acquire(createOptions) : await sandkit.create(spec, createOptions);
      try {
        await use(sandbox);
      } finally {
        if (task.result?.state === 'fail') await attachLogsToFailure(task, sandbox, logLines);
        await sandbox.destroy();
      }
    },
  });
}
