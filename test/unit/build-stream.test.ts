import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { watchStream } from '../../packages/runtime-socket/src/proxy/json-messages.js';

const stage = `sha256:${'1'.repeat(64)}`;
const final = `sha256:${'2'.repeat(64)}`;
const line = (message: unknown) => `${JSON.stringify(message)}\r\n`;
const build = [
  line({ stream: 'Step 1/4 : FROM busybox AS s' }),
  line({ stream: ' ---> 111111111111\n' }),
  line({ aux: { ID: stage } }),
  // A job's RUN output can print anything, but only as "stream" text.
  line({ stream: `{"aux":{"ID":"sha256:${'9'.repeat(64)}"}}\n` }),
  line({ aux: { ID: final } }),
  line({ stream: 'Successfully built 222222222222\n' }),
];

/** Streams `messages` in uneven pieces through the watcher; what the job receives, and what was seen. */
async function relay(messages: string[], quiet: boolean) {
  const { transform, outcome } = watchStream(quiet);
  const text = messages.join('');
  const pieces = Array.from({ length: Math.ceil(text.length / 7) }, (_, i) =>
    Buffer.from(text.slice(i * 7, (i + 1) * 7)),
  );
  let received = '';
  await pipeline(
    Readable.from(pieces),
    transform,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        received += chunk.toString();
        done();
      },
    }),
  );
  return { received, outcome };
}

describe("a build's progress stream, watched on its way to the job", () => {
  it("passes a build's output through and names every stage's image from aux messages only", async () => {
    const { received, outcome } = await relay(build, false);
    expect(received).toBe(build.join(''));
    expect(outcome).toMatchObject({ failed: false, auxIds: [stage, final] });
  });

  it('answers a quiet build as the engine does: only the final image id', async () => {
    const { received } = await relay(build, true);
    expect(received).toBe(line({ stream: `${final}\n` }));
  });

  it("answers a failed quiet build with the build's output, then the error", async () => {
    const failed = [build[0] as string, line({ errorDetail: { code: 1 }, error: 'it failed' })];
    const { received, outcome } = await relay(failed, true);
    expect(outcome.failed).toBe(true);
    expect(received).toBe(failed.join(''));
  });
});
