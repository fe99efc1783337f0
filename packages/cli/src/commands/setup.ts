import type { Engine } from '@sandkit/core';
import { buildOfflineImages, ensureEngine, type OfflineImages } from '@sandkit/host-setup';
import { outputMode, Reporter } from '../output/reporter.js';

/** Makes sure an engine answers (installing and starting one if this host can) and the offline images exist. */
export async function setUpHost(reporter: Reporter): Promise<{ engine: Engine; images: OfflineImages }> {
  const log = (line: string) => reporter.info(`  ${line}`);
  const engine = await reporter.phase('making sure a Docker engine answers', () => ensureEngine({ log }));
  const images = await reporter.phase('building the offline images (cached by content)', () =>
    buildOfflineImages(engine, log),
  );
  return { engine, images };
}

/** `sandkit setup` */
export async function setupCommand(options: { json?: boolean }): Promise<number> {
  const reporter = new Reporter(outputMode(options.json));
  const { engine, images } = await setUpHost(reporter);
  reporter.info(`engine ${engine.address}; images ${Object.values(images).join(', ')}`, {
    event: 'setup',
    engine: engine.address,
    images,
  });
  return 0;
}
