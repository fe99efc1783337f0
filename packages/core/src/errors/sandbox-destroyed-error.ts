import { SandkitError, type SandkitErrorContext } from './sandkit-error.js';

/** An operation was attempted on a sandbox that was already destroyed. */
export class SandboxDestroyedError extends SandkitError {
  static override readonly code: string = 'SANDKIT_SANDBOX_DESTROYED';
  constructor(operation: string, context: SandkitErrorContext) {
    super(`Cannot ${operation}: sandbox ${context.sandboxId} was already destroyed`, context);
  }
}
