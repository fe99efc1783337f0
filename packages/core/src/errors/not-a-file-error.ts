import { SandkitError, type SandkitErrorContext } from './sandkit-error.js';

/** `readFile` was given a path that is not a regular file (a directory, device, socket…). */
export class NotAFileError extends SandkitError {
  static override readonly code: string = 'SANDKIT_NOT_A_FILE';
  /** The path inside the sandbox. */
  readonly path: string;
  /** What the path is instead, as the archive names it, e.g. `directory`. */
  readonly kind: string;

  constructor(path: string, kind: string, context: SandkitErrorContext) {
    super(
      `${path} is not a regular file (it is a ${kind})`,
      context,
      kind === 'directory' ? 'Use copyDirectoryOut() or getArchive() for directories.' : undefined,
    );
    this.path = path;
    this.kind = kind;
  }
}
