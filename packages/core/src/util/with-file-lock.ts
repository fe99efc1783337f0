import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';

/**
 * Runs `work` while holding a cross-process lock on `path` (created if
 * missing). Waits for other holders; a lock left by a dead process goes stale
 * and is taken over.
 */
export async function withFileLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  closeSync(openSync(path, 'a'));
  const release = await lockfile.lock(path, {
    stale: 30_000,
    update: 5_000,
    retries: { retries: 1_000, minTimeout: 100, maxTimeout: 1_000 },
    realpath: false,
  });
  try {
    return await work();
  } finally {
    await release().catch(() => {});
  }
}
