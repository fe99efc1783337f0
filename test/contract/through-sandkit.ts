import { type Runtime, Sandkit, type Session } from '@sandkit/core';

/**
 * A runtime that creates its sandboxes through a `Sandkit` (the object users
 * get: selection, queues, managed sandboxes), so the contract suite checks
 * what users see, not only the runtimes underneath. `chosen` is the runtime
 * the Sandkit is expected to pick for the target's specs (the Sandkit sweeps
 * and watches its runtimes' engines).
 */
export function throughSandkit(session: Session, runtimes: Runtime[], chosen: Runtime): Runtime {
  // No watchdog or startup sweep: the suite removes what it makes, and other test files' objects are theirs.
  const sandkit = new Sandkit({
    runtimes,
    session,
    watchdog: false,
    sweepOrphansOnStart: false,
  });
  return {
    name: chosen.name,
    probe: () => chosen.probe(),
    validate: (spec) => chosen.validate(spec),
    engine: () => chosen.engine(),
    create: (spec, options = {}) =>
      sandkit.create(spec, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      }),
  };
}
