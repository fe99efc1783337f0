import { SandkitError, type SandkitErrorContext } from './sandkit-error.js';

/**
 * The engine refused a call because the sandbox container is not running
 * (it stopped, was paused, or was removed behind sandkit's back).
 */
export class SandboxNotRunningError extends SandkitError {
  static override readonly code: string = 'SANDKIT_SANDBOX_NOT_RUNNING';

  constructor(action: string, engineMessage: string, context: SandkitErrorContext) {
    super(
      `Cannot ${action}: the sandbox container is not running`,
      context,
      `engine said: ${engineMessage}\nIts logs (sandbox.logs()) usually say why the main process ended.`,
    );
  }
}
