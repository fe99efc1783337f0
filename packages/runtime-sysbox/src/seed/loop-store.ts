import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';

/** Options of {@link createLoopStore}. */
export interface LoopStoreOptions {
  /** Where the store is mounted (the seed store root). */
  mountPoint: string;
  /** Backing file of the file system (created sparse). */
  imageFile: string;
  /** Size of the file system in bytes. */
  sizeBytes: number;
  /**
   * File system with cheap clones to create.
   * @default 'xfs'
   */
  fileSystem?: 'xfs' | 'btrfs';
}

const MKFS: Record<'xfs' | 'btrfs', { binary: string; args: string[] }> = {
  xfs: { binary: 'mkfs.xfs', args: ['-q', '-m', 'reflink=1'] },
  btrfs: { binary: 'mkfs.btrfs', args: ['-q'] },
};

/**
 * Opt-in helper for hosts whose disks have neither btrfs nor a reflink-capable
 * XFS: creates a sparse file, makes an XFS (reflink) or btrfs file system in
 * it and loop-mounts it at `mountPoint`. Idempotent: an existing mount is kept.
 * Needs root, loop devices and `xfsprogs` / `btrfs-progs`.
 */
export async function createLoopStore(options: LoopStoreOptions): Promise<void> {
  if (isMountPoint(options.mountPoint)) return;
  const fs = options.fileSystem ?? 'xfs';
  await mkdir(dirname(options.imageFile), { recursive: true });
  await mkdir(options.mountPoint, { recursive: true });
  if (!existsSync(options.imageFile)) {
    await execa('truncate', ['-s', String(options.sizeBytes), options.imageFile]);
    await execa(MKFS[fs].binary, [...MKFS[fs].args, options.imageFile]);
  }
  await execa('mount', ['-o', 'loop', options.imageFile, options.mountPoint]);
}

/** Unmounts a loop store and deletes its backing file. */
export async function removeLoopStore(
  options: Pick<LoopStoreOptions, 'mountPoint' | 'imageFile'>,
): Promise<void> {
  if (isMountPoint(options.mountPoint)) await execa('umount', [options.mountPoint]);
  await rm(options.imageFile, { force: true });
}

function isMountPoint(path: string): boolean {
  const mounts = readFileSync('/proc/mounts', 'utf8');
  return mounts.split('\n').some((line) => line.split(' ')[1] === path);
}
