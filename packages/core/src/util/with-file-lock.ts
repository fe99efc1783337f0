import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import lockfile from 'proper-lockfile';
import { isOwnerDead } from '../cleanup/owner-liveness.js';
import { currentOwner } from '../labels/sandkit-labels.js';
import { delay } from './abort.js';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Stops waiting for the lock (rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** A lock whose holder stopped updating it for this long is taken over (a holder on another host, or one that hung). */
const STALE_MS = 30_000;

/**
 * Runs `work` while holding a cross-process lock on `path` (created if
 * missing). Waits for other holders, cancellably; a lock whose holder on this
 * host is dead (owner host:pid:start time recorded in the lock) is taken over
 * at once, and any other abandoned lock once it is stale.
 */
export async function withFileLock<T>(
  path: string,
  work: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  closeSync(openSync(path, 'a'));
  const lockDir = `${path}.lock`;
  let release: (() => Promise<void>) | undefined;
  for (let attempt = 0; !release; attempt++) {
    options.signal?.throwIfAborted();
    try {
      release = await lockfile.lock(path, {
        stale: STALE_MS,
        update: 5_000,
        retries: 0,
        realpath: false,
        // proper-lockfile throws from a timer when it finds its lock taken over (a holder that hung past
        // the staleness). What sandkit guards with these locks is published atomically, so a second
        // holder can only waste work: worth a warning, not a crash.
        onCompromised: (error) =>
          process.emitWarning(
            `the lock ${path} was taken over while held (${error.message})`,
            'SandkitWarning',
          ),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY') {
        // proper-lockfile judged the lock stale but cannot rmdir it: it still holds its holder's note.
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (code !== 'ELOCKED') throw error;
      if (await takeOverIfHolderDead(lockDir)) continue;
      await delay(Math.min(1_000, 50 * 2 ** Math.min(attempt, 5)), options.signal);
    }
  }
  const holder = join(lockDir, 'owner');
  try {
    // The note changes the directory's mtime, which proper-lockfile checks is still its own: put it back.
    const { mtime } = await stat(lockDir);
    await writeFile(holder, currentOwner());
    await utimes(lockDir, mtime, mtime);
    return await work();
  } finally {
    // The lock is a directory that is released by removing it: empty it first.
    await rm(holder, { force: true });
    await release().catch(() => {});
  }
}

/**
 * Moves a lock whose recorded holder is dead out of the way, atomically, so
 * only one waiter takes it over; puts it back if it turns out to be a live
 * holder's (one that took the lock between the check and the move).
 */
async function takeOverIfHolderDead(lockDir: string): Promise<boolean> {
  const holder = await readFile(join(lockDir, 'owner'), 'utf8').catch(() => undefined);
  if (!holder || !isOwnerDead(holder)) return false;
  const tombstone = `${lockDir}.dead-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockDir, tombstone);
  } catch {
    return true; // another waiter moved it first: try to lock again
  }
  const moved = await readFile(join(tombstone, 'owner'), 'utf8').catch(() => undefined);
  if (moved !== holder) {
    await rename(tombstone, lockDir).catch(() => {});
    return false;
  }
  await rm(tombstone, { recursive: true, force: true });
  return true;
}
