import type { Engine } from '@sandkit/core';
import { imageExists } from '@sandkit/core/runtime';
import { pack } from 'tar-stream';

/** An empty image (no files at all) used to ask the engine what it can grant. */
export const PROBE_IMAGE = 'sandkit/probe:empty';

/**
 * Builds {@link PROBE_IMAGE} from a one-line Dockerfile if missing: no
 * registry, no files, a few kilobytes of metadata.
 */
export async function ensureProbeImage(engine: Engine): Promise<string> {
  if (await imageExists(engine, PROBE_IMAGE)) return PROBE_IMAGE;
  const context = pack();
  context.entry(
    { name: 'Dockerfile' },
    'FROM scratch\nLABEL dev.sandkit.probe="true"\nCMD ["/nonexistent"]\n',
  );
  context.finalize();
  const stream = await engine.docker.buildImage(context as unknown as NodeJS.ReadableStream, {
    t: PROBE_IMAGE,
    rm: true,
    forcerm: true,
  });
  await new Promise<void>((resolve, reject) =>
    engine.docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve())),
  );
  return PROBE_IMAGE;
}
