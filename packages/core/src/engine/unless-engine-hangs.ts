import { withTimeout } from '../util/abort.js';
import type { Engine } from './engine.js';

/** How long an engine gets to answer `/_ping` after an abort before it counts as hung. */
export const ENGINE_HANG_MS = 1_000;

/**
 * Waits for `work`, which watches `signal` itself and cleans up after an abort.
 * When the signal aborts first, the engine is pinged: if it answers, `work`
 * is awaited (its cleanup runs to the end, so nothing is left when this
 * settles); if it does not answer within {@link ENGINE_HANG_MS}, this rejects
 * at once with `hung()` instead of waiting for an engine that may never come
 * back, and `abandoned` receives whatever `work` produces later.
 */
export async function unlessEngineHangs<T>(
  engine: Engine,
  work: Promise<T>,
  signal: AbortSignal,
  handlers: { hung: () => Error; abandoned: (value: T) => Promise<void> },
): Promise<T> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  const first = await Promise.race([
    work.then(
      () => 'done' as const,
      () => 'done' as const,
    ),
    aborted,
  ]);
  if (onAbort) signal.removeEventListener('abort', onAbort);
  if (first === 'done') return work;
  const answers = await withTimeout(engine.docker.ping(), ENGINE_HANG_MS).then(
    () => true,
    () => false,
  );
  if (answers) return work;
  work.then(
    (value) => handlers.abandoned(value).catch(() => {}),
    () => {},
  );
  throw handlers.hung();
}
