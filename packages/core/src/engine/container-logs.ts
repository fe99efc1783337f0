import { type PassThrough, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { FollowLogOptions, LogLine, LogOptions } from '../sandbox/sandbox.js';
import { demuxStream } from './demux-stream.js';
import type { Engine } from './engine.js';

function logQuery(options: LogOptions) {
  const since = options.since instanceof Date ? Math.floor(options.since.getTime() / 1000) : options.since;
  return {
    stdout: true,
    stderr: true,
    timestamps: options.timestamps ?? false,
    ...(since !== undefined ? { since } : {}),
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
  };
}

/** A container's output so far, split into stdout and stderr. */
export async function readLogs(
  engine: Engine,
  containerId: string,
  options: LogOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const raw = (await engine.docker
    .getContainer(containerId)
    .logs({ ...logQuery(options), follow: false })) as Buffer;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const length = raw.readUInt32BE(offset + 4);
    (raw[offset] === 2 ? err : out).push(raw.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** The last lines of a container's output (both streams, interleaved), for error messages. Never throws. */
export async function logTail(engine: Engine, containerId: string, lines = 40): Promise<string> {
  try {
    const { stdout, stderr } = await readLogs(engine, containerId, { tail: lines });
    return [stdout, stderr].filter(Boolean).join('\n').trimEnd();
  } catch {
    return '';
  }
}

/** A container's output as lines, following new output until aborted or the container stops. */
export async function* followLogs(
  engine: Engine,
  containerId: string,
  options: FollowLogOptions = {},
): AsyncGenerator<LogLine> {
  const source = (await engine.docker.getContainer(containerId).logs({
    ...logQuery(options),
    follow: true,
  })) as unknown as NodeJS.ReadableStream & { destroy(): void };
  const queue: LogLine[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const push = (line: LogLine) => {
    queue.push(line);
    wake?.();
  };
  const stdout = lineSplitter('stdout', push);
  const stderr = lineSplitter('stderr', push);
  const onAbort = () => source.destroy();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) source.destroy();
  demuxStream(source as unknown as PassThrough, stdout, stderr)
    .catch(() => {})
    .finally(() => {
      stdout.end();
      stderr.end();
      done = true;
      wake?.();
    });
  try {
    for (;;) {
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (done) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    source.destroy();
  }
}

function lineSplitter(stream: LogLine['stream'], push: (line: LogLine) => void): Writable {
  let rest = '';
  const decoder = new StringDecoder('utf8');
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) push({ stream, line });
      callback();
    },
    final(callback) {
      rest += decoder.end();
      if (rest) push({ stream, line: rest });
      callback();
    },
  });
}
