import { type SandboxSpec, Sandkit, type SandkitEvents } from '@sandkit/core';
import { socket } from '@sandkit/runtime-socket';
import { sysbox } from '@sandkit/runtime-sysbox';
import { describe, expect, inject, it } from 'vitest';
import { leftovers, NOTHING_LEFT, testEngine } from '../../support/engine.js';

const images = inject('images');
const plain: SandboxSpec = { image: images.busybox, pull: 'never' };

function newSandkit(options: Partial<ConstructorParameters<typeof Sandkit>[0]> = {}) {
  return new Sandkit({
    runtimes: [sysbox({ allowInsecure: 'always', onWarning: () => {} }), socket()],
    ...options,
  });
}

/** Resolves once the pool reports at least `idle` ready members. */
function idleReached(sk: Sandkit, idle: number): Promise<SandkitEvents['pool']> {
  return new Promise((resolve) => {
    const off = sk.on('pool', (state) => {
      if (state.idle >= idle) {
        off();
        resolve(state);
      }
    });
  });
}

describe('warm pools', () => {
  it('make their sandboxes with the runtime they are given, and refuse one the Sandkit lacks', async () => {
    await using sk = newSandkit();
    expect(() => sk.pool(plain, { runtime: 'vm' })).toThrow(/options\.runtime: "vm" is not one of/);
    // The sysbox runtime does not run a docker: "none" job; chosen freely, the pool would use socket.
    await using pool = sk.pool(plain, { min: 0, max: 1, runtime: 'sysbox' });
    await expect(pool.acquire()).rejects.toMatchObject({
      name: 'RuntimeUnavailableError',
      message: expect.stringContaining('"sysbox"'),
    });
    await using free = sk.pool(plain, { min: 0, max: 1 });
    await using sb = await free.acquire();
    expect(sb.runtime).toBe('socket');
  });

  it('hand out a ready sandbox at once, whose exec works, and start a replacement', async () => {
    await using sk = newSandkit();
    const warm = idleReached(sk, 1);
    await using pool = sk.pool(plain, { min: 1 });
    await warm;
    const started = performance.now();
    await using sb = await pool.acquire();
    const acquireMs = performance.now() - started;
    console.log(`[pool] acquire from a warm pool: ${acquireMs.toFixed(1)} ms`);
    expect((await sb.exec(['echo', 'warm'])).stdout).toBe('warm\n');
    expect(pool.state.inUse).toBe(1);
    expect(pool.state.idle + pool.state.warming).toBe(1);
  });

  it('give every acquire a fresh sandbox, the overflow through the queue, and never one twice', async () => {
    await using sk = newSandkit();
    const warm = idleReached(sk, 2);
    await using pool = sk.pool(plain, { min: 2 });
    await warm;
    const handedOut = new Set<string>();
    for (let round = 0; round < 2; round++) {
      const batch = await Promise.all(Array.from({ length: 5 }, () => pool.acquire()));
      for (const sb of batch) {
        expect(handedOut.has(sb.id)).toBe(false);
        handedOut.add(sb.id);
      }
      // Each is its own sandbox: a file written in one is in no other.
      await batch[0]?.writeFiles([{ path: '/mine', content: 'x' }]);
      for (const other of batch.slice(1)) {
        expect((await other.exec(['test', '-e', '/mine'], { reject: false })).exitCode).toBe(1);
      }
      await Promise.all(batch.map((sb) => sb.destroy()));
    }
    expect(handedOut.size).toBe(10);
    expect(pool.state.inUse).toBe(0);
  });

  it('never hand out a member whose container died while idle', async () => {
    await using sk = newSandkit();
    const warm = idleReached(sk, 2);
    await using pool = sk.pool(plain, { min: 2 });
    await warm;
    const { docker } = await testEngine();
    const idle = sk.sandboxes.map((sb) => sb);
    expect(idle).toHaveLength(2);
    await Promise.all(idle.map((sb) => docker.getContainer(sb.containerId).kill()));
    await using sb = await pool.acquire();
    expect(idle.map((m) => m.id)).not.toContain(sb.id);
    expect(await sb.status()).toEqual({ running: true, exitCode: undefined });
  });

  it('replace members older than maxIdleMs', async () => {
    await using sk = newSandkit();
    const warm = idleReached(sk, 1);
    await using pool = sk.pool(plain, { min: 1, maxIdleMs: 1_000 });
    await warm;
    const [first] = sk.sandboxes;
    await new Promise((r) => setTimeout(r, 2_500));
    const ids = sk.sandboxes.map((sb) => sb.id);
    expect(ids).not.toContain(first?.id);
    expect(pool.state.idle + pool.state.warming).toBe(1);
  });

  it('refill below waiting creates: a create() queued behind a refill starts before the next refill', async () => {
    await using sk = newSandkit({ concurrency: 1 });
    const priorityOf = new Map<string, number>();
    const order: number[] = [];
    sk.on('queued', ({ jobId, priority }) => priorityOf.set(jobId, priority));
    sk.on('creating', ({ jobId }) => order.push(priorityOf.get(jobId) as number));
    const first = new Promise<void>((resolve) => {
      const off = sk.on('creating', () => {
        off();
        resolve();
      });
    });
    await using pool = sk.pool(plain, { min: 2 });
    await first;
    await using sb = await sk.create(plain);
    expect(sb.runtime).toBe('socket');
    await idleReached(sk, 2);
    expect(order).toEqual([-1, 0, -1]);
    expect(pool.state.idle).toBe(2);
  });

  it.each([
    [
      'docker: shared (its own proxy)',
      { image: images.dind, pull: 'never', docker: 'shared', cmd: ['sleep', 'infinity'] },
    ],
    [
      'docker: isolated, seeded',
      {
        image: images.dind,
        pull: 'never',
        docker: 'isolated',
        trust: 'trusted',
        seed: { images: [images.busybox], strategy: 'load' },
      },
    ],
  ] as Array<[string, SandboxSpec]>)('work for %s', async (_, spec) => {
    await using sk = newSandkit();
    const warm = idleReached(sk, 1);
    await using pool = sk.pool(spec, { min: 1 });
    await warm;
    await using sb = await pool.acquire();
    expect((await sb.exec(['docker', 'version', '--format', '{{.Server.Version}}'])).stdout).toMatch(
      /^\d+\./,
    );
  });

  it('close() cancels members being made and destroys the idle ones; closing the Sandkit removes the rest', async () => {
    const sk = newSandkit();
    const warm = idleReached(sk, 1);
    const pool = sk.pool(plain, { min: 3 });
    await warm;
    const held = await pool.acquire();
    await pool.close();
    expect(pool.state).toEqual({ idle: 0, warming: 0, inUse: 1 });
    expect(sk.sandboxes.map((sb) => sb.id)).toEqual([held.id]);
    await expect(pool.acquire()).rejects.toThrow('This pool is closed');
    await sk.close();
    expect(await leftovers({ session: sk.session.id })).toEqual(NOTHING_LEFT);
  });
});
