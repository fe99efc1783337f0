import { SandkitError, type SandkitErrorContext } from './sandkit-error.js';

/**
 * Copying between the host and the sandbox failed on the host side (no space
 * left, no permission, a missing host directory, an archive entry that would
 * escape its directory). A copy out leaves nothing partial in its destination.
 */
export class CopyFailedError extends SandkitError {
  static override readonly code: string = 'SANDKIT_COPY_FAILED';
  /** The host path involved. */
  readonly hostPath: string;

  constructor(shortMessage: string, hostPath: string, context: SandkitErrorContext, details?: string) {
    super(shortMessage, context, details);
    this.hostPath = hostPath;
  }
}
