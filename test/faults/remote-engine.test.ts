import { createSession, ExecTimedOutError } from '@sandkit/core';
import { socket } from '@sandkit/runtime-socket';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tcpEngine } from '../support/tcp-engine.js';

const images = inject('images');

describe('on an engine whose processes this host cannot signal (reached over TCP)', () => {
  let remote: Awaited<ReturnType<typeof tcpEngine>>;
  beforeAll(async () => {
    remote = await tcpEngine();
  });
  afterAll(async () => {
    await remote?.close();
  });

  it('a timed-out command is killed with its children, from inside the sandbox', async () => {
    expect(remote.engine.isLocal).toBe(false);
    await using sb = await socket({ session: createSession(), engine: remote.engine }).create({
      image: images.busybox,
      pull: 'never',
    });
    const error = await sb
      .exec(['sh', '-c', 'sleep 71 & sleep 72 & wait'], { timeoutMs: 1_000 })
      .catch((e: unknown) => e);
    expect(ExecTimedOutError.is(error)).toBe(true);
    const { stdout } = await sb.exec(['ps', '-o', 'args']);
    expect(stdout).not.toMatch(/sleep 7[12]/);
  });
});
