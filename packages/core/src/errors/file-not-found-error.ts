import { SandkitError, type SandkitErrorContext } from './sandkit-error.js';

/** A path given to a copy call does not exist in the sandbox. */
export class FileNotFoundError extends SandkitError {
  static override readonly code: string = 'SANDKIT_FILE_NOT_FOUND';
  /** The path inside the sandbox. */
  readonly path: string;

  constructor(path: string, context: SandkitErrorContext) {
    super(`${path} does not exist in the sandbox`, context);
    this.path = path;
  }
}
