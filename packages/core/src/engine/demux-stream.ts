import type { Readable, Writable } from 'node:stream';

const HEADER_SIZE = 8;

/**
 * Splits the engine's multiplexed stream (8-byte frame headers: stream id,
 * 3 zero bytes, big-endian length) into stdout and stderr, honouring
 * backpressure on both outputs. Resolves when the source ends or closes;
 * does not end the outputs.
 */
export function demuxStream(source: Readable, stdout: Writable, stderr: Writable): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  return new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let blocked = false;
      while (pending.length >= HEADER_SIZE) {
        const length = pending.readUInt32BE(4);
        if (pending.length < HEADER_SIZE + length) break;
        const target = pending[0] === 2 ? stderr : stdout;
        const payload = pending.subarray(HEADER_SIZE, HEADER_SIZE + length);
        pending = pending.subarray(HEADER_SIZE + length);
        if (!target.write(payload)) {
          blocked = true;
          target.once('drain', () => source.resume());
        }
      }
      if (blocked) source.pause();
    };
    const finish = () => {
      cleanup();
      resolve();
    };
    const fail = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      source.off('data', onData);
      source.off('end', finish);
      source.off('close', finish);
      source.off('error', fail);
    };
    source.on('data', onData);
    source.once('end', finish);
    source.once('close', finish);
    source.once('error', fail);
  });
}
