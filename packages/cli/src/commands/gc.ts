import { Sandkit } from '@sandkit/core';
import { DEFAULT_SEED_STORE, detectSeedStore, gcGoldens } from '@sandkit/runtime-sysbox';
import { outputMode, Reporter } from '../output/reporter.js';
import { cliRuntimes } from '../runtimes.js';

/** `sandkit gc`: removes expired and orphaned objects, and unused seed goldens. */
export async function gcCommand(options: {
  json?: boolean;
  seedStore?: string;
  goldenIdleMinutes?: string;
}): Promise<number> {
  const reporter = new Reporter(outputMode(options.json));
  const sandkit = new Sandkit({
    runtimes: cliRuntimes({}, reporter),
    watchdog: false,
    sweepOrphansOnStart: false,
  });
  const report = await reporter.phase('removing expired and orphaned objects', () => sandkit.gc());
  const store = await detectSeedStore(options.seedStore ?? DEFAULT_SEED_STORE);
  const goldens = await reporter.phase('removing unused seed goldens', () =>
    gcGoldens(store, { minIdleMs: Number(options.goldenIdleMinutes ?? 10) * 60_000 }),
  );
  await sandkit.close();
  if (reporter.mode === 'json') reporter.event({ event: 'gc', ...report, goldens });
  else {
    reporter.info(
      `removed ${report.containers.length} containers, ${report.networks.length} networks, ${report.volumes.length} volumes, ${report.images.length} images, ${report.paths.length} host paths, ${goldens.length} goldens`,
    );
  }
  return 0;
}
