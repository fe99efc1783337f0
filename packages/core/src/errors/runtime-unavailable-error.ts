import { SandkitError, type SandkitErrorContext } from './sandkit-error.js';

/** The runtime cannot run sandboxes on this engine (e.g. `sysbox-runc` not installed). */
export class RuntimeUnavailableError extends SandkitError {
  static override readonly code: string = 'SANDKIT_RUNTIME_UNAVAILABLE';
  /** Why the runtime is unavailable, one reason per entry. */
  readonly reasons: readonly string[];

  constructor(runtime: string, reasons: readonly string[], context: SandkitErrorContext = {}) {
    super(
      `Runtime "${runtime}" is not available`,
      { ...context, runtime },
      reasons.map((r) => `  - ${r}`).join('\n'),
    );
    this.reasons = reasons;
  }
}
