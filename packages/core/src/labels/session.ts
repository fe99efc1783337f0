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
