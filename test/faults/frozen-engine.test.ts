import { CancelledError, createSession } from '@sandkit/core';
import { socket } from '@sandkit/runtime-socket';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { leftovers, NOTHING_LEFT } from '../support/engine.js';
import { type FreezableEngine, freezableEngine } from '../support/freezable-engine.js';

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
  let relay: FreezableEngine;
  beforeAll(async () => {
    relay = await freezableEngine();
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
});
