import { execa } from 'execa';
import type { CloneMethod } from './seed-store.js';

/**
 * Clones `source` to `target` (which must not exist) with the given method:
 * a btrfs snapshot (source must be a subvolume), a reflink copy, or a plain
 * copy. Ownership, modes, links and extended attributes are kept.
 */
export async function cloneDirectory(
  method: CloneMethod,
  source: string,
  target: string,
  signal?: AbortSignal,
): Promise<void> {
  const options = signal ? { cancelSignal: signal } : {};
  switch (method) {
    case 'btrfs-snapshot':
      await execa('btrfs', ['subvolume', 'snapshot', source, target], options);
      return;
    case 'reflink':
      await execa('cp', ['-a', '--reflink=always', source, target], options);
      return;
    case 'copy':
      await execa('cp', ['-a', source, target], options);
      return;
  }
}

/** Creates an empty directory to build a golden in: a subvolume on btrfs (so it can be snapshotted). */
export async function createCloneableDirectory(method: CloneMethod, path: string): Promise<void> {
  if (method === 'btrfs-snapshot') await execa('btrfs', ['subvolume', 'create', path]);
  else await execa('mkdir', ['-p', path]);
}
