import type { ExecResult } from '../sandbox/exec-types.js';
import { SandkitError, type SandkitErrorContext } from './sandkit-error.js';

/** Context every exec error carries: the sandbox's and what ran, with what it printed. */
export interface ExecErrorContext extends SandkitErrorContext {
  /** What the command produced before it failed, was stopped or cancelled. */
  result: ExecResult;
}

/** Base of every exec error: the command's `result`, and its `exitCode`, `stdout` and `stderr` at the top. */
export abstract class ExecError extends SandkitError {
  /** The command, its exit code (`undefined` if it never finished) and its output so far. */
  readonly result: ExecResult;
  /** The command's exit code, as in `result`; `undefined` if it never finished. */
  readonly exitCode: number | undefined;
  /** What the command printed on stdout so far, as in `result`. */
  readonly stdout: string;
  /** What the command printed on stderr so far, as in `result`. */
  readonly stderr: string;

  constructor(shortMessage: string, context: ExecErrorContext, extra?: string) {
    super(shortMessage, context, [extra, outputDetails(context.result)].filter(Boolean).join('\n'));
    this.result = context.result;
    this.exitCode = context.result.exitCode;
    this.stdout = context.result.stdout;
    this.stderr = context.result.stderr;
  }
}

/** The command exited with a non-zero code (and `reject` was left on). */
export class ExecFailedError extends ExecError {
  static override readonly code: string = 'SANDKIT_EXEC_FAILED';
  constructor(context: ExecErrorContext) {
    super(
      `Command failed with exit code ${context.result.exitCode}: ${quote(context.result.command)}`,
      context,
    );
  }
}

/** The command ran past `timeoutMs` and was killed. */
export class ExecTimedOutError extends ExecError {
  static override readonly code: string = 'SANDKIT_EXEC_TIMED_OUT';
  constructor(timeoutMs: number, context: ExecErrorContext) {
    super(`Command timed out after ${timeoutMs} ms: ${quote(context.result.command)}`, context);
  }
}

/** The command was cancelled by its `signal` and was killed. */
export class ExecCancelledError extends ExecError {
  static override readonly code: string = 'SANDKIT_EXEC_CANCELLED';
  constructor(context: ExecErrorContext) {
    super(`Command was cancelled: ${quote(context.result.command)}`, context);
  }
}

/** The command printed more than `maxBuffer` bytes on stdout or stderr and was killed. */
export class ExecOutputTooLargeError extends ExecError {
  static override readonly code: string = 'SANDKIT_EXEC_OUTPUT_TOO_LARGE';
  constructor(maxBuffer: number, context: ExecErrorContext) {
    super(
      `Command output exceeded maxBuffer (${maxBuffer} bytes): ${quote(context.result.command)}`,
      context,
      'Raise `maxBuffer`, or use execStream() to consume the output as it comes.',
    );
  }
}

function quote(command: readonly string[]): string {
  return command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}

function outputDetails(result: ExecResult): string {
  const tail = (s: string) => (s.length > 2000 ? `…${s.slice(-2000)}` : s);
  return [
    result.stderr ? `stderr:\n${tail(result.stderr).trimEnd()}` : '',
    result.stdout ? `stdout:\n${tail(result.stdout).trimEnd()}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}
