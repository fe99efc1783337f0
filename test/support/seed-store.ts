import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackages } from '@sandkit/host-setup';
import { createLoopStore, removeLoopStore } from '@sandkit/runtime-sysbox';

/** A loop-mounted XFS (reflink) seed store for a test file, removed with `dispose()`. */
export async function xfsSeedStore(
  sizeBytes = 3 * 1024 ** 3,
): Promise<{ root: string; dispose: () => Promise<void> }> {
  await ensureDebianPackages({ '/usr/sbin/mkfs.xfs': 'xfsprogs' });
  const dir = await mkdtemp(join(tmpdir(), 'sandkit-xfs-'));
  const store = { mountPoint: join(dir, 'store'), imageFile: join(dir, 'store.img') };
  await createLoopStore({ ...store, sizeBytes, fileSystem: 'xfs' });
  return {
    root: store.mountPoint,
    dispose: async () => {
      await removeLoopStore(store);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
