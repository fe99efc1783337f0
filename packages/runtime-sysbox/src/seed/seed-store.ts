import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/** How a directory is cloned on a store's file system. */
export type CloneMethod = 'btrfs-snapshot' | 'reflink' | 'copy';

/** What sandkit found about a seed store. */
export interface SeedStoreInfo {
  /** The store's root directory. */
  root: string;
  /** File system type, as `stat -f` reports it (e.g. `btrfs`, `xfs`, `ext2/ext3`). */
  fileSystem: string;
  /** The cheapest way to clone a golden data root here. */
  cloneMethod: CloneMethod;
  /** Why that method, in words. */
  reason: string;
}

/** Default seed store directory. */
export const DEFAULT_SEED_STORE = '/var/lib/sandkit/seed';

/** Directory layout of a seed store. */
export function storePaths(root: string) {
  return {
    root,
    goldens: join(root, 'goldens'),
    clones: join(root, 'clones'),
    archives: join(root, 'archives'),
    locks: join(root, 'locks'),
    building: join(root, 'building'),
  };
}

const detected = new Map<string, Promise<SeedStoreInfo>>();

/**
 * Creates the store's directories and finds how clones can be made there:
 * a btrfs snapshot on btrfs, a reflink copy where the file system supports
 * reflinks (XFS with reflink=1, btrfs), a plain copy otherwise. Checked by
 * trying, not by the file system's name alone.
 */
export function detectSeedStore(root: string): Promise<SeedStoreInfo> {
  let detection = detected.get(root);
  if (!detection) {
    detection = detect(root);
    detected.set(root, detection);
    detection.catch(() => detected.delete(root));
  }
  return detection;
}

async function detect(root: string): Promise<SeedStoreInfo> {
  const paths = storePaths(root);
  for (const dir of Object.values(paths)) await mkdir(dir, { recursive: true, mode: 0o700 });
  const { stdout } = await execa('stat', ['-f', '-c', '%T', root]);
  const fileSystem = stdout.trim();
  if (fileSystem === 'btrfs') {
    return {
      root,
      fileSystem,
      cloneMethod: 'btrfs-snapshot',
      reason: 'the store is on btrfs: clones are subvolume snapshots',
    };
  }
  const probe = join(paths.building, `reflink-probe-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(`${probe}.src`, 'reflink probe');
    const { exitCode } = await execa('cp', ['--reflink=always', `${probe}.src`, `${probe}.dst`], {
      reject: false,
    });
    if (exitCode === 0) {
      return {
        root,
        fileSystem,
        cloneMethod: 'reflink',
        reason: `the store's ${fileSystem} file system supports reflinks: clones share blocks until written`,
      };
    }
  } finally {
    await rm(`${probe}.src`, { force: true });
    await rm(`${probe}.dst`, { force: true });
  }
  return {
    root,
    fileSystem,
    cloneMethod: 'copy',
    reason: `the store's ${fileSystem} file system has neither snapshots nor reflinks: clones are plain copies (use a btrfs or XFS store: \`sandkit seed mkstore\` makes one)`,
  };
}
