import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Engine, SandkitError } from '@sandkit/core';
import { imageExists, withFileLock } from '@sandkit/core/runtime';
import * as tarFs from 'tar-fs';
import { ensureDebianPackages } from '../packages/ensure-debian-packages.js';
import { hashDirectory } from './hash-directory.js';

/** Label holding the hash of everything an offline image was built from. */
export const INPUTS_HASH_LABEL = 'dev.sandkit.inputs-hash';

/** How to build one image without any registry. */
export interface ImageRecipe {
  /** Repository the image is tagged in, e.g. `sandkit-test/busybox`. */
  repository: string;
  /**
   * Host files the recipe copies, each mapped to the Debian package that provides it
   * (installed when missing, on hosts that can).
   * @default {}
   */
  hostFiles?: Record<string, string>;
  /** Writes the build context (a `Dockerfile` and its files) into `dir`. */
  prepare(dir: string): Promise<void>;
}

/** Options of {@link buildOfflineImage}. */
export interface BuildOfflineImageOptions {
  /** Receives progress lines. @default no output */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * Builds a recipe's image unless an image built from the very same inputs
 * exists: the build context is hashed, and the image is tagged
 * `<repository>:<hash prefix>` (and `:latest`) with the full hash in a label.
 * Safe when several processes build the same recipe at once (file lock).
 * @returns the content-addressed reference, e.g. `sandkit-test/busybox:3f9a…`
 */
export async function buildOfflineImage(
  engine: Engine,
  recipe: ImageRecipe,
  options: BuildOfflineImageOptions = {},
): Promise<string> {
  const log = options.log ?? (() => {});
  await ensureDebianPackages(recipe.hostFiles ?? {}, {
    log,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const context = await mkdtemp(join(tmpdir(), 'sandkit-image-'));
  try {
    await recipe.prepare(context);
    const hash = await hashDirectory(context);
    const ref = `${recipe.repository}:${hash.slice(0, 16)}`;
    if (await imageExists(engine, ref)) return ref;
    const lockName = recipe.repository.replace(/[^\w.-]/g, '_');
    return await withFileLock(join(tmpdir(), 'sandkit-locks', `${lockName}.lock`), async () => {
      if (await imageExists(engine, ref)) return ref;
      const started = Date.now();
      log(`building ${ref}`);
      await build(engine, context, ref, hash, options.signal);
      await engine.docker.getImage(ref).tag({ repo: recipe.repository, tag: 'latest' });
      log(`built ${ref} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return ref;
    });
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

async function build(
  engine: Engine,
  context: string,
  ref: string,
  hash: string,
  signal?: AbortSignal,
): Promise<void> {
  const stream = await engine.docker.buildImage(tarFs.pack(context) as unknown as NodeJS.ReadableStream, {
    t: ref,
    labels: { [INPUTS_HASH_LABEL]: hash },
    rm: true,
    forcerm: true,
    ...(signal ? { abortSignal: signal } : {}),
  });
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    engine.docker.modem.followProgress(
      stream,
      (error: Error | null) => (error ? reject(error) : resolve()),
      (event: { stream?: string }) => {
        if (event.stream) output.push(event.stream);
      },
    );
  }).catch((error: unknown) => {
    throw new SandkitError(
      `Building ${ref} failed`,
      { image: ref, cause: error },
      `${(error as Error).message}\n${output.join('').slice(-3000)}`,
    );
  });
}
