import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type Engine, SeedFailedError } from '@sandkit/core';
import { loadImages, saveImages } from '@sandkit/core/runtime';
import type Dockerode from 'dockerode';

/** A seed image as the host engine has it. */
export interface SeedImage {
  ref: string;
  /** Image ID on the host engine (`sha256:…`). */
  id: string;
}

/** Resolves seed references to host image IDs; throws `SeedFailedError` for images the host lacks. */
export async function resolveSeedImages(engine: Engine, refs: readonly string[]): Promise<SeedImage[]> {
  return Promise.all(
    refs.map(async (ref) => {
      try {
        const info = await engine.docker.getImage(ref).inspect();
        return { ref, id: info.Id };
      } catch (error) {
        throw new SeedFailedError(
          `Seed image ${ref} is not on the host engine`,
          { image: ref, cause: error },
          'Seeds come from the host engine: build, load or pull the image there first.',
        );
      }
    }),
  );
}

/**
 * Makes the seed images present, with their tags, in an inner daemon: images
 * it already has (by ID) are only tagged; the others are streamed from a
 * `docker save` archive of each image, made once per image and kept in
 * `archives` (atomic rename, so concurrent callers never read a partial file).
 * @returns the references that had to be loaded
 */
export async function loadSeedImages(args: {
  host: Engine;
  inner: Dockerode;
  images: readonly SeedImage[];
  archives: string;
  signal?: AbortSignal;
}): Promise<string[]> {
  const { host, inner, images, archives, signal } = args;
  const loaded: string[] = [];
  for (const image of images) {
    signal?.throwIfAborted();
    if (await hasImage(inner, image.id)) {
      const [repo, tag] = splitRef(image.ref);
      await inner.getImage(image.id).tag({ repo, tag });
      continue;
    }
    const archive = await archiveOf(host, image, archives);
    const found = await loadImages({ docker: inner } as Engine, createReadStream(archive));
    if (!found.includes(image.ref) && !(await hasImage(inner, image.id))) {
      throw new SeedFailedError(`Loading seed image ${image.ref} into the inner daemon did not produce it`, {
        image: image.ref,
      });
    }
    loaded.push(image.ref);
  }
  return loaded;
}

async function hasImage(client: Dockerode, id: string): Promise<boolean> {
  try {
    await client.getImage(id).inspect();
    return true;
  } catch {
    return false;
  }
}

async function archiveOf(host: Engine, image: SeedImage, archives: string): Promise<string> {
  const name = `${image.id.replace(/^sha256:/, '')}-${createHash('sha256').update(image.ref).digest('hex').slice(0, 12)}.tar`;
  const path = join(archives, name);
  if (existsSync(path)) return path;
  await mkdir(archives, { recursive: true });
  const partial = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
  try {
    await pipeline(await saveImages(host, [image.ref]), createWriteStream(partial));
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
  return path;
}

/** Splits `repo[:tag]` (a registry port is not a tag). */
export function splitRef(ref: string): [string, string] {
  const withoutDigest = ref.split('@')[0] as string;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash) return [withoutDigest.slice(0, colon), withoutDigest.slice(colon + 1)];
  return [withoutDigest, 'latest'];
}
