import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { formatOwner, isOwnerDead, processStartTime, withFileLock } from '@sandkit/core/runtime';
import { execa } from 'execa';
import { createCloneableDirectory } from './clone-directory.js';
import { type SeedStoreInfo, storePaths } from './seed-store.js';

/** Options of {@link ensureGolden}. */
export interface EnsureGoldenOptions {
  /** Stops waiting for another process's build, and stops this one's between steps. */
  signal?: AbortSignal;
  /**
   * Notes the build directory before it is created, and forgets it once it is
   * published or removed, so that a session sweep removes it if the builder dies.
   * @default none (the next build of the store removes a dead builder's directory)
   */
  journal?: { record(path: string): Promise<void>; forget(): Promise<void> };
  /**
   * The image references the golden holds, listed by {@link listGoldens}.
   * @default none listed
   */
  images?: string[];
}

/** Marker file at the root of every golden (and so of every clone) naming its key. */
export const GOLDEN_MARKER = '.sandkit-golden';
/** File in a golden listing the image references it holds (JSON array), for `sandkit seed ls`. */
const GOLDEN_IMAGES = '.sandkit-golden-images.json';

/** Files that identify one daemon and must not be shared by clones: removed from a golden before it is published. */
const DAEMON_IDENTITY_FILES = ['engine-id', 'network/files/local-kv.db'];

/**
 * Returns the golden data root for `key`, building it first if needed: in a
 * private directory, under a cross-process lock, published by an atomic
 * rename only once complete. Concurrent callers (other processes included)
 * build it once; an aborted or failed build leaves no partial golden, and the
 * build directory of a process killed mid-build is removed by the next build
 * (its lock is taken over at once).
 * @param build fills a data root directory (an inner daemon loads the images and stops cleanly)
 */
export async function ensureGolden(
  store: SeedStoreInfo,
  key: string,
  build: (dataRoot: string) => Promise<void>,
  options: EnsureGoldenOptions = {},
): Promise<{ path: string; built: boolean }> {
  const { signal, journal, images = [] } = options;
  const paths = storePaths(store.root);
  const golden = join(paths.goldens, key);
  await touchUse(store, key);
  if (existsSync(golden)) return { path: golden, built: false };
  return withFileLock(
    join(paths.locks, `${key}.lock`),
    async () => {
      if (existsSync(golden)) return { path: golden, built: false };
      signal?.throwIfAborted();
      await removeAbandonedBuilds(store);
      const building = join(paths.building, buildDirectoryName(key));
      await journal?.record(building);
      try {
        await createCloneableDirectory(store.cloneMethod, building);
        await build(building);
        signal?.throwIfAborted();
        for (const file of DAEMON_IDENTITY_FILES) await rm(join(building, file), { force: true });
        await writeFile(join(building, GOLDEN_IMAGES), JSON.stringify(images));
        await writeFile(join(building, GOLDEN_MARKER), key);
        await rename(building, golden);
        return { path: golden, built: true };
      } catch (error) {
        await removeTree(store, building);
        throw error;
      } finally {
        await journal?.forget();
      }
    },
    signal ? { signal } : {},
  );
}

/** A build directory's name carries its builder (pid and start time), so a dead builder's is recognised. */
function buildDirectoryName(key: string): string {
  return `${key}-${process.pid}-${processStartTime(process.pid) ?? ''}-${randomBytes(4).toString('hex')}`;
}

/** Removes the build directories of builders on this host that died mid-build. */
export async function removeAbandonedBuilds(store: SeedStoreInfo): Promise<string[]> {
  const { building } = storePaths(store.root);
  const removed: string[] = [];
  for (const name of await readdir(building).catch(() => [] as string[])) {
    const builder = /-(\d+)-(\d*)-[0-9a-f]{8}$/.exec(name);
    if (!builder) continue;
    if (!isOwnerDead(formatOwner(hostname(), Number(builder[1]), builder[2] || undefined))) continue;
    await removeTree(store, join(building, name));
    removed.push(name);
  }
  return removed;
}

/** Records that a golden is being used now (GC spares recently used goldens). */
async function touchUse(store: SeedStoreInfo, key: string): Promise<void> {
  const marker = join(storePaths(store.root).locks, `${key}.used`);
  const now = new Date();
  await utimes(marker, now, now).catch(() => writeFile(marker, ''));
}

/** Removes a golden or clone directory (a subvolume on btrfs). */
export async function removeTree(store: SeedStoreInfo, path: string): Promise<void> {
  if (store.cloneMethod === 'btrfs-snapshot' && existsSync(path)) {
    const { exitCode } = await execa('btrfs', ['subvolume', 'delete', path], { reject: false });
    if (exitCode === 0) return;
  }
  await rm(path, { recursive: true, force: true });
}

/** A golden in the store. */
export interface GoldenInfo {
  key: string;
  path: string;
  /** When it was last handed to a sandbox. */
  lastUsed: Date;
  /** The image references it holds. */
  images: string[];
  /** Sandboxes (by clone directory) currently built on it. */
  clones: string[];
}

/** Lists the store's goldens with the clones that use them. */
export async function listGoldens(store: SeedStoreInfo): Promise<GoldenInfo[]> {
  const paths = storePaths(store.root);
  const clonesByKey = new Map<string, string[]>();
  for (const clone of await readdir(paths.clones).catch(() => [] as string[])) {
    const key = await readFile(join(paths.clones, clone, GOLDEN_MARKER), 'utf8').catch(() => undefined);
    if (key) clonesByKey.set(key, [...(clonesByKey.get(key) ?? []), clone]);
  }
  const goldens: GoldenInfo[] = [];
  for (const key of await readdir(paths.goldens).catch(() => [] as string[])) {
    const used = await stat(join(paths.locks, `${key}.used`)).catch(() => undefined);
    const images = await readFile(join(paths.goldens, key, GOLDEN_IMAGES), 'utf8')
      .then((text) => JSON.parse(text) as string[])
      .catch(() => []);
    goldens.push({
      key,
      path: join(paths.goldens, key),
      lastUsed: used?.mtime ?? new Date(0),
      images,
      clones: clonesByKey.get(key) ?? [],
    });
  }
  return goldens;
}

/**
 * Removes goldens no live sandbox uses (no clone of them exists) and that were
 * not handed out within `minIdleMs` (a sandbox being created may be about to clone one).
 * @returns the keys removed
 */
export async function gcGoldens(
  store: SeedStoreInfo,
  options: { minIdleMs?: number } = {},
): Promise<string[]> {
  const minIdleMs = options.minIdleMs ?? 10 * 60_000;
  const removed: string[] = [];
  await removeAbandonedBuilds(store);
  for (const golden of await listGoldens(store)) {
    if (golden.clones.length > 0 || Date.now() - golden.lastUsed.getTime() < minIdleMs) continue;
    await withFileLock(join(storePaths(store.root).locks, `${golden.key}.lock`), async () => {
      await removeTree(store, golden.path);
      await rm(join(storePaths(store.root).locks, `${golden.key}.used`), { force: true });
    });
    removed.push(golden.key);
  }
  return removed;
}
