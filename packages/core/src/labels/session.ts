import { hostname } from 'node:os';
import { v7 as uuidv7 } from 'uuid';
import { currentOwner, type Session } from './sandkit-labels.js';

let processSession: Session | undefined;

/** A new session owned by this process. */
export function createSession(): Session {
  return { id: uuidv7(), owner: currentOwner() };
}

/** The session runtimes use when none is given: one per process, created on first use. */
export function defaultSession(): Session {
  processSession ??= createSession();
  return processSession;
}

/**
 * A session no process owns (its owner label names none), for objects meant to
 * outlive the process that made them, such as a cluster from `sandkit cluster up`:
 * never swept as orphaned, only once expired (give them a `ttlMs`) or when
 * removed by name. Use it with `watchdog: false`.
 */
export function createDetachedSession(): Session {
  return { id: uuidv7(), owner: `${hostname()}:detached:` };
}
