/** Rejects with `signal.reason` when the signal is (or becomes) aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason;
}

/**
 * Races a promise against a deadline and an optional signal. Rejects with a
 * `TimeoutError` DOMException (as `AbortSignal.timeout` does) when the deadline passes.
 * The promise itself is not cancelled; callers clean up what it produces.
 */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  const timeout = timeoutSignal(timeoutMs);
  return raceSignal(promise, signal ? AbortSignal.any([signal, timeout]) : timeout);
}

/** Resolves or rejects like `promise`, or rejects with the signal's reason as soon as it aborts. */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {});
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** A signal that aborts when `signal` does or after `timeoutMs` (either may be absent). */
export function combineSignals(
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
): AbortSignal | undefined {
  const signals = [signal, timeoutMs !== undefined ? timeoutSignal(timeoutMs) : undefined].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  if (signals.length <= 1) return signals[0];
  return AbortSignal.any(signals);
}

/** Waits `ms` milliseconds, or rejects with the signal's reason. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return raceSignal(new Promise<void>((resolve) => setTimeout(resolve, ms)), signal);
}

/**
 * A signal that aborts after `ms` with a `TimeoutError`, as `AbortSignal.timeout()`
 * does, but held by its timer until it fires: an `AbortSignal.timeout()` that only
 * an `AbortSignal.any()` refers to can be garbage-collected on Node 20 before it
 * fires, and the deadline silently never comes (seen: a cluster's 5 s timeout
 * that never fired in a busy test process). The timer does not keep the process alive.
 */
export function timeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(
    () => controller.abort(new DOMException(`The operation was aborted due to timeout`, 'TimeoutError')),
    ms,
  ).unref();
  return controller.signal;
}
