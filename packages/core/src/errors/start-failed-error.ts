import { SandkitError, type SandkitErrorContext } from './sandkit-error.js';

/** The sandbox container was created but did not start or did not become ready. */
export class StartFailedError extends SandkitError {
  static override readonly code: string = 'SANDKIT_START_FAILED';
  /** The last lines of the container's logs, when they could be read. */
  readonly logTail: string;

  constructor(shortMessage: string, context: SandkitErrorContext & { logTail?: string }) {
    const logTail = context.logTail ?? '';
    super(
      shortMessage,
      context,
      logTail ? `Last container log lines:\n${indent(logTail)}` : 'The container wrote no logs.',
    );
    this.logTail = logTail;
  }
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `  | ${l}`)
    .join('\n');
}
