import { CancelledError, createSession, ExecTimedOutError, SandkitError } from '@sandkit/core';
import { socket } from '@sandkit/runtime-socket';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { leftovers, NOTHING_LEFT, testEngine } from '../support/engine.js';
import { type EngineRelay, startEngineRelay } from '../support/engine-relay.js';

const images = inject('images');
/** How far past its deadline a call may settle while the engine does not answer (the hang check itself). */
const GRACE_MS = 1_500;

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('an engine that stops answering cannot stretch a deadline', () => {
  let relay: EngineRelay;
  beforeAll(async () => {
    relay = await startEngineRelay(await testEngine());
  });
  afterAll(async () => {
    await relay?.close();
  });

  it.each(['creating the container', 'starting the container', 'waiting for readiness'])(
    'create with timeoutMs settles on time when the engine freezes at "%s", and its leftovers go once it answers',
    async (freezeAt) => {
      const session = createSession();
      const runtime = socket({ session, engine: relay.engine });
      const started = Date.now();
      const error = await runtime
        .create(
          { image: images.busybox, pull: 'never', readiness: { exec: ['true'] } },
          {
            timeoutMs: 3_000,
            onPhase: (phase) => {
              if (phase === freezeAt) relay.freeze();
            },
          },
        )
        .catch((e: unknown) => e);
      const tookMs = Date.now() - started;
      relay.thaw();
      console.log(
        `[faults] engine frozen at "${freezeAt}": create settled after ${tookMs} ms (timeoutMs 3000)`,
      );
      expect(CancelledError.is(error)).toBe(true);
      expect((error as CancelledError).timedOut).toBe(true);
      expect((error as Error).message).toContain('removed once it answers again');
      expect(tookMs).toBeLessThan(3_000 + GRACE_MS);
      await waitUntil(
        async () => JSON.stringify(await leftovers({ session: session.id })) === JSON.stringify(NOTHING_LEFT),
        15_000,
      );
    },
  );

  it('exec with timeoutMs settles on time while the engine does not answer, and runs nothing once it answers', async () => {
    const session = createSession();
    await using sb = await socket({ session, engine: relay.engine }).create({
      image: images.busybox,
      pull: 'never',
    });
    relay.freeze();
    const started = Date.now();
    const error = await sb.exec(['sleep', '60'], { timeoutMs: 2_000 }).catch((e: unknown) => e);
    const tookMs = Date.now() - started;
    relay.thaw();
    console.log(`[faults] engine frozen: exec settled after ${tookMs} ms (timeoutMs 2000)`);
    expect(ExecTimedOutError.is(error)).toBe(true);
    expect(tookMs).toBeLessThan(2_000 + GRACE_MS);
    // What the engine only received after the deadline must not run on.
    await new Promise((r) => setTimeout(r, 1_000));
    const { stdout } = await sb.exec(['ps', '-o', 'args']);
    expect(stdout).not.toContain('sleep 60');
  });

  it('a running exec past its timeoutMs settles on time when the engine freezes mid-run, and is killed once it answers', async () => {
    const session = createSession();
    await using sb = await socket({ session, engine: relay.engine }).create({
      image: images.busybox,
      pull: 'never',
    });
    const started = Date.now();
    const running = sb.exec(['sleep', '61'], { timeoutMs: 2_000 }).catch((e: unknown) => e);
    setTimeout(() => relay.freeze(), 500);
    const error = await running;
    const tookMs = Date.now() - started;
    relay.thaw();
    console.log(`[faults] engine frozen mid-exec: exec settled after ${tookMs} ms (timeoutMs 2000)`);
    expect(ExecTimedOutError.is(error)).toBe(true);
    expect(tookMs).toBeLessThan(2_000 + GRACE_MS);
    await waitUntil(async () => !(await sb.exec(['ps', '-o', 'args'])).stdout.includes('sleep 61'), 10_000);
  });

  it('destroy with timeoutMs settles on time while the engine does not answer, and a later destroy finishes the job', async () => {
    const session = createSession();
    const sb = await socket({ session, engine: relay.engine }).create({
      image: images.busybox,
      pull: 'never',
    });
    relay.freeze();
    const started = Date.now();
    const error = await sb.destroy({ timeoutMs: 2_000 }).catch((e: unknown) => e);
    const tookMs = Date.now() - started;
    relay.thaw();
    console.log(`[faults] engine frozen: destroy settled after ${tookMs} ms (timeoutMs 2000)`);
    expect(SandkitError.is(error)).toBe(true);
    expect(tookMs).toBeLessThan(2_000 + GRACE_MS);
    await sb.destroy();
    expect(await leftovers({ session: session.id })).toEqual(NOTHING_LEFT);
  });
});
