import { type Runtime, type SandboxSpec, Sandkit } from '@sandkit/core';

/** Options of {@link sandkitGlobalSetup}. */
export interface SandkitGlobalSetupOptions {
  /** Makes the runtimes, as the tests' {@link sandboxTest} does. */
  runtimes: () => Runtime[];
  /**
   * Specs to create once, and destroy, before any test runs: their images are
   * pulled (per their `pull` policy) and their seeds' goldens built, so that
   * the tests' sandboxes start from them at once.
   * @default none
   */
  prepare?: SandboxSpec[];
  /**
   * Limit on all of the preparation.
   * @default 600_000
   */
  timeoutMs?: number;
}

/**
 * A vitest `globalSetup` (export it as the default of the file the config's
 * `globalSetup` names). Before the run it checks that a runtime can serve,
 * and creates each `prepare` spec once (pulling its image, building its
 * seed's golden). After the run, also after workers crashed, it removes
 * whatever sandkit objects are left whose owner is gone (a crashed worker's
 * sandboxes, networks, volumes, host paths) and expired ones.
 */
export function sandkitGlobalSetup(options: SandkitGlobalSetupOptions): () => Promise<() => Promise<void>> {
  return async () => {
    const sandkit = new Sandkit({ runtimes: options.runtimes(), watchdog: false });
    try {
      const signal = AbortSignal.timeout(options.timeoutMs ?? 600_000);
      for (const spec of options.prepare ?? []) {
        const sandbox = await sandkit.create(spec, { signal });
        await sandbox.destroy({ signal });
      }
    } finally {
      await sandkit.close();
    }
    return async () => {
      const sweeper = new Sandkit({
        runtimes: options.runtimes(),
        watchdog: false,
        sweepOrphansOnStart: false,
      });
      try {
        await sweeper.gc();
      } finally {
        await sweeper.close();
      }
    };
  };
}
