import { EngineUnreachableError, type Runtime, type Sandbox, Sandkit } from '@sandkit/core';
import { describe, expect, it } from 'vitest';
import { recordingEngine } from '../support/recording-engine.js';

/**
 * A runtime whose one sandbox fails its first `failures` destroys as an
 * unreachable engine would, then succeeds. (The real engine path of the same
 * behaviour is in the contract suite, through an engine relay taken down.)
 */
function flakyRuntime(failures: number): { runtime: Runtime; destroyCalls: () => number } {
  let calls = 0;
  const { engine } = recordingEngine();
  const sandbox = {
    id: '0190a4e2-0000-7000-8000-000000000001',
    runtime: 'flaky',
    containerId: 'c1',
    image: 'busybox',
    destroy: async () => {
      calls++;
      if (calls <= failures) throw new EngineUnreachableError([], 'engine down');
    },
  } as unknown as Sandbox;
  const runtime: Runtime = {
    name: 'flaky',
    probe: async () => ({
      runtime: 'flaky',
      available: true,
      reasons: ['ok'],
      dockerAccess: ['none'],
      insecure: false,
      facts: {},
    }),
    validate: () => [],
    create: async () => sandbox,
    engine: async () => engine,
  };
  return { runtime, destroyCalls: () => calls };
}

describe('a failed destroy through Sandkit', () => {
  it('is not cached: the sandbox stays live and the next destroy() tries again', async () => {
    const { runtime, destroyCalls } = flakyRuntime(1);
    const sk = new Sandkit({ runtimes: [runtime], watchdog: false, sweepOrphansOnStart: false });
    const destroyed: string[] = [];
    sk.on('destroyed', ({ sandboxId }) => destroyed.push(sandboxId));
    const sb = await sk.create({ image: 'busybox' });

    const [first, concurrent] = await Promise.allSettled([sb.destroy(), sb.destroy()]);
    expect(first.status === 'rejected' && EngineUnreachableError.is(first.reason)).toBe(true);
    expect(concurrent.status).toBe('rejected');
    expect(destroyCalls()).toBe(1);
    expect(sk.sandboxes).toEqual([sb]);
    expect(destroyed).toEqual([]);

    await sb.destroy();
    expect(destroyCalls()).toBe(2);
    expect(sk.sandboxes).toEqual([]);
    expect(destroyed).toEqual([sb.id]);

    await sb.destroy();
    expect(destroyCalls()).toBe(2);
  });
});
