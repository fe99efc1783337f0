import { createWriteStream } from 'node:fs';
import {
  chmod,
  lchown,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  rename,
  rm,
  rmdir,
  symlink,
  utimes,
} from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Header } from 'tar-stream';

/** Prefix of the staging directory an archive is received into, next to its destination. */
const STAGING_PREFIX = '.sandkit-partial-';

/**
 * Extracts a tar stream into a host directory (created if missing) without
 * ever writing outside it, and without partial results: the archive is
 * received into a staging directory next to `hostDir` and moved into place
 * only once complete; on any failure the staging directory is removed and
 * `hostDir` is as before.
 *
 * Symlinks are recreated as symlinks with their target verbatim (an absolute
 * target then points into the host, as `cp -P` would leave it), never
 * followed; an entry that would be written through a symlink, or a hard link
 * or name leading outside, fails the extraction. Devices and FIFOs are skipped.
 * Modes and times are kept, and owners too when this process runs as root.
 */
export async function extractArchive(tar: Readable, hostDir: string, signal?: AbortSignal): Promise<void> {
  await mkdir(dirname(hostDir), { recursive: true });
  const staging = await mkdtemp(join(dirname(hostDir), `${STAGING_PREFIX}${basename(hostDir)}-`));
  try {
    await receive(tar, staging, signal);
    await moveInto(staging, hostDir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

async function receive(tar: Readable, root: string, signal: AbortSignal | undefined): Promise<void> {
  const entries = extract();
  const directoryModes: Array<[string, number]> = [];
  // As tar and docker cp do: owners are kept when this process may set them.
  const own = process.getuid?.() === 0;
  const chownAs = async (path: string, header: Header) => {
    if (own) await lchown(path, header.uid ?? 0, header.gid ?? 0);
  };
  const consume = (async () => {
    for await (const entry of entries) {
      const target = await placeFor(root, entry.header);
      const mode = (entry.header.mode ?? 0o644) & 0o7777;
      switch (entry.header.type) {
        case 'directory':
          await mkdir(target, { recursive: true });
          await chownAs(target, entry.header);
          directoryModes.push([target, mode]);
          entry.resume();
          break;
        case 'file':
          await pipeline(entry, createWriteStream(target, { mode: 0o600 }));
          // Owner before mode: a chown clears setuid and setgid bits.
          await chownAs(target, entry.header);
          await chmod(target, mode);
          if (entry.header.mtime) await utimes(target, entry.header.mtime, entry.header.mtime);
          break;
        case 'symlink':
          entry.resume();
          await symlink(entry.header.linkname ?? '', target);
          await chownAs(target, entry.header);
          break;
        case 'link':
          entry.resume();
          await link(await placeFor(root, { ...entry.header, name: entry.header.linkname ?? '' }), target);
          break;
        default:
          entry.resume();
      }
    }
  })().catch((error: unknown) => {
    // Stop receiving: the rest of the archive has nowhere to go.
    entries.destroy(error as Error);
    tar.destroy();
    throw error;
  });
  await Promise.all([pipeline(tar, entries, ...(signal ? [{ signal }] : [])), consume]);
  // Modes last, deepest first: a read-only directory must not block what goes inside it.
  for (const [dir, mode] of directoryModes.reverse()) await chmod(dir, mode);
}

/** Where an entry goes under `root`; throws if it would land outside or be written through a symlink. */
async function placeFor(root: string, header: Header): Promise<string> {
  const name = posix
    .normalize(header.name)
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '');
  if (name === '.' || name === '') return root;
  if (posix.isAbsolute(name) || name === '..' || name.startsWith('../')) {
    throw new Error(`archive entry "${header.name}" points outside the destination`);
  }
  const parts = name.split('/');
  for (let i = 1; i < parts.length; i++) {
    const parent = join(root, ...parts.slice(0, i));
    const stats = await lstat(parent).catch(() => undefined);
    if (stats && !stats.isDirectory()) {
      throw new Error(
        `archive entry "${header.name}" would be written through ${parts.slice(0, i).join('/')}, which is not a directory`,
      );
    }
  }
  return join(root, ...parts);
}

/** Moves a complete staging directory's contents into `hostDir`, merging with what is there. */
async function moveInto(staging: string, hostDir: string): Promise<void> {
  const existing = await lstat(hostDir).catch(() => undefined);
  if (!existing) {
    await rename(staging, hostDir);
    return;
  }
  if (!existing.isDirectory()) throw new Error(`${hostDir} exists and is not a directory`);
  for (const name of await readdir(staging)) {
    const from = join(staging, name);
    const to = join(hostDir, name);
    const [source, present] = await Promise.all([lstat(from), lstat(to).catch(() => undefined)]);
    if (source.isDirectory() && present?.isDirectory()) {
      await moveInto(from, to);
      continue;
    }
    if (present) await rm(to, { recursive: true, force: true });
    await rename(from, to);
  }
  await rmdir(staging);
}
