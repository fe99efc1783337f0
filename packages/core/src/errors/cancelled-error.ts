import { SandkitError, type SandkitErrorContext } from './sandkit-error.js';

/**
 * A long operation (create, pull, readiness wait, …) was aborted by its
 * `signal` or ran past its `timeoutMs`. Everything it had created was removed,
 * or, when the engine stopped answering, is removed once it answers again.
 */
export class CancelledError extends SandkitError {
  static override readonly code: string = 'SANDKIT_CANCELLED';
  /** The {@link CancelledError.code} of an operation that ran past its `timeoutMs`. */
  static readonly timedOutCode: string = 'SANDKIT_TIMED_OUT';
  /** `SANDKIT_TIMED_OUT` when a timeout cancelled the operation, else `SANDKIT_CANCELLED`. */
  override readonly code: string;
  /** The operation that was cancelled, e.g. `create`. */
  readonly operation: string;
  /** True when a timeout (not a caller's abort) cancelled it. */
  readonly timedOut: boolean;

  constructor(
    operation: string,
    reason: unknown,
    context: SandkitErrorContext & {
      phase?: string;
      logTail?: string;
      /**
       * Whether what the operation had created is already removed, or will be
       * once the engine answers again (it stopped answering).
       * @default 'done'
       */
      removal?: 'done' | 'pending';
    } = {},
  ) {
    const timedOut = isTimeoutReason(reason);
    const during = context.phase ? ` while ${context.phase}` : '';
    const { removal = 'done', ...rest } = context;
    super(
      timedOut ? `${operation} timed out${during}` : `${operation} was cancelled${during}`,
      { ...rest, cause: reason },
      [
        removal === 'done'
          ? 'Everything it had created was removed.'
          : 'The engine stopped answering: whatever it may have created is removed once it answers again (by this process, the watchdog, or `sandkit gc`).',
        context.logTail ? `Last container log lines:\n${context.logTail.replace(/^/gm, '  | ')}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
    this.code = timedOut ? CancelledError.timedOutCode : CancelledError.code;
    this.operation = operation;
    this.timedOut = timedOut;
  }
}

/** True for the reason `AbortSignal.timeout()` aborts with. */
export function isTimeoutReason(reason: unknown): boolean {
  return reason instanceof Error && reason.name === 'TimeoutError';
}
