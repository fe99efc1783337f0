import { SandkitError, type SandkitErrorContext } from './sandkit-error.js';

/**
 * A long operation (create, pull, readiness wait, …) was aborted by its
 * `signal` or ran past its `timeoutMs`. Everything it had created was removed.
 */
export class CancelledError extends SandkitError {
  static override readonly code: string = 'SANDKIT_CANCELLED';
  /** The operation that was cancelled, e.g. `create`. */
  readonly operation: string;
  /** True when a timeout (not a caller's abort) cancelled it. */
  readonly timedOut: boolean;

  constructor(operation: string, reason: unknown, context: SandkitErrorContext = {}) {
    const timedOut = isTimeoutReason(reason);
    super(
      timedOut ? `${operation} timed out` : `${operation} was cancelled`,
      { ...context, cause: reason },
      'Everything it had created was removed.',
    );
    this.operation = operation;
    this.timedOut = timedOut;
  }
}

/** True for the reason `AbortSignal.timeout()` aborts with. */
export function isTimeoutReason(reason: unknown): boolean {
  return reason instanceof Error && reason.name === 'TimeoutError';
}
