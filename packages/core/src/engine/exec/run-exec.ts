import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ExecFailedError, ExecOutputTooLargeError, SandkitError } from '../../errors/index.js';
import type { BufferedExecOptions, ExecResult } from '../../sandbox/exec-types.js';
import { type StartExecContext, startExec } from './start-exec.js';

const DEFAULT_MAX_BUFFER = 64 * 1024 * 1024;

/**
 * Runs a command to completion and buffers its output (see {@link startExec}
 * for the streaming form). Rejects with `ExecFailedError` on a non-zero exit
 * unless `reject: false`.
 */
export async function runExec(
  command: readonly string[],
  options: BufferedExecOptions,
  context: Omit<StartExecContext, 'attachStdin'>,
): Promise<ExecResult> {
  const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  const process = await startExec(command, options, { ...context, attachStdin: options.stdin !== undefined });
  const stdout = collect(process.stdout, maxBuffer);
  const stderr = collect(process.stderr, maxBuffer);
  let tooLarge = false;
  const onTooLarge = () => {
    tooLarge = true;
    void process.kill();
  };
  stdout.overflow.then(onTooLarge, () => {});
  stderr.overflow.then(onTooLarge, () => {});

  if (options.stdin !== undefined) {
    const input =
      options.stdin instanceof Readable ? options.stdin : Readable.from([Buffer.from(options.stdin)]);
    // A command that exits without reading all its input closes the pipe; that is not an error.
    pipeline(input, process.stdin).catch(() => {});
  }

  const partial = (exitCode: number | undefined, durationMs: number): ExecResult => ({
    command,
    exitCode,
    stdout: stdout.text(),
    stderr: stderr.text(),
    durationMs,
  });
  let exit: { exitCode: number | undefined; durationMs: number };
  try {
    exit = await process.exited;
  } catch (error) {
    if (SandkitError.is(error) && 'result' in error) {
      Object.assign(error.result as ExecResult, partial(undefined, (error.result as ExecResult).durationMs));
    }
    throw error;
  }
  const result = partial(exit.exitCode, exit.durationMs);
  if (tooLarge) throw new ExecOutputTooLargeError(maxBuffer, { ...context, result });
  if (result.exitCode !== 0 && options.reject !== false) throw new ExecFailedError({ ...context, result });
  return result;
}

function collect(stream: Readable, maxBuffer: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  let signalOverflow: () => void = () => {};
  const overflow = new Promise<void>((resolve) => {
    signalOverflow = resolve;
  });
  stream.on('data', (chunk: Buffer) => {
    const room = maxBuffer - size;
    if (chunk.length > room) {
      if (room > 0) chunks.push(chunk.subarray(0, room));
      size = maxBuffer;
      signalOverflow();
      return;
    }
    chunks.push(chunk);
    size += chunk.length;
  });
  return { overflow, text: () => Buffer.concat(chunks).toString('utf8') };
}
