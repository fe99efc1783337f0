import type { Readable, Writable } from 'node:stream';

/** Options of {@link Sandbox.exec} and {@link Sandbox.execStream}. */
export interface ExecOptions {
  /**
   * Extra environment variables for the command.
   * @default {}
   */
  env?: Record<string, string>;
  /**
   * Working directory (absolute).
   * @default the sandbox's working directory
   */
  cwd?: string;
  /**
   * User (name or uid[:gid]) to run as.
   * @default the sandbox's user
   */
  user?: string;
  /**
   * Kill the command and reject with `ExecTimedOutError` this many milliseconds
   * after the call (an integer 1-2147483647).
   * @default no timeout
   */
  timeoutMs?: number;
  /** Kill the command and reject with `ExecCancelledError` when aborted. */
  signal?: AbortSignal;
}

/** Options of the buffered {@link Sandbox.exec}. */
export interface BufferedExecOptions extends ExecOptions {
  /**
   * Written to the command's standard input, which is then closed.
   * @default no standard input (it reads end-of-file)
   */
  stdin?: string | Uint8Array | Readable;
  /**
   * Largest number of bytes kept from stdout, and separately from stderr;
   * past it the command is killed and `ExecOutputTooLargeError` is thrown.
   * @default 67_108_864 (64 MiB)
   */
  maxBuffer?: number;
  /**
   * Reject with `ExecFailedError` when the exit code is not 0.
   * @default true
   */
  reject?: boolean;
}

/** What a finished command produced. */
export interface ExecResult {
  /** The command as given. */
  command: readonly string[];
  /** Its exit code; `undefined` when it was killed before it finished (timeout, abort). */
  exitCode: number | undefined;
  /** Everything written to stdout (UTF-8). */
  stdout: string;
  /** Everything written to stderr (UTF-8). */
  stderr: string;
  /** Wall-clock time from start to exit, in milliseconds. */
  durationMs: number;
}

/** A running command whose streams the caller consumes (see {@link Sandbox.execStream}). */
export interface ExecProcess {
  /** The command's standard output. */
  readonly stdout: Readable;
  /** The command's standard error. */
  readonly stderr: Readable;
  /** The command's standard input; end it to send end-of-file. */
  readonly stdin: Writable;
  /**
   * Resolves with the exit code once the command has exited and its output ended
   * (`undefined` when {@link ExecProcess.kill} ended it before the engine recorded one);
   * rejects with `ExecTimedOutError` / `ExecCancelledError` when stopped.
   */
  readonly exited: Promise<{ exitCode: number | undefined; durationMs: number }>;
  /** Kills the command and every process it started; resolves once they were signalled. */
  kill(): Promise<void>;
}
