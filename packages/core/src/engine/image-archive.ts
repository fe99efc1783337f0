import type { Readable } from 'node:stream';
import { SandkitError } from '../errors/index.js';
import type { Engine } from './engine.js';

/** A tar stream (`docker save` format) of the given images, tags included. */
export async function saveImages(engine: Engine, refs: readonly string[]): Promise<Readable> {
  // dockerode implements GET /images/get (several names) but its typings omit it.
  const docker = engine.docker as typeof engine.docker & {
    getImages(opts: { names: string[] }): Promise<Readable>;
  };
  return docker.getImages({ names: [...refs] });
}

/**
 * Loads a `docker save` tar stream into the engine. Errors the engine reports
 * inside its response stream are detected and thrown.
 * @returns the image references the engine reported as loaded
 */
export async function loadImages(engine: Engine, tar: Readable): Promise<string[]> {
  const response = (await engine.docker.loadImage(tar, { quiet: true })) as NodeJS.ReadableStream;
  const loaded: string[] = [];
  await new Promise<void>((resolve, reject) => {
    engine.docker.modem.followProgress(
      response,
      (error: Error | null) =>
        error
          ? reject(new SandkitError('Loading images into the engine failed', { cause: error }, error.message))
          : resolve(),
      (event: { stream?: string }) => {
        const match = event.stream?.match(/Loaded image(?: ID)?: (\S+)/);
        if (match?.[1]) loaded.push(match[1]);
      },
    );
  });
  return loaded;
}
