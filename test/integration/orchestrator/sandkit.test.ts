import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  CancelledError,
  createSession,
  type Runtime,
  RuntimeUnavailableError,
  Sandkit,
  type SandkitEvents,
} from '@sandkit/core';
import { socket } from '@sandkit/runtime-socket';
import { sysbox } from '@sandkit/runtime-sysbox';
import { describe, expect, inject, it } from 'vitest';
import { leftovers, NOTHING_LEFT, testEngine } from '../../support/engine.js';
import { SYSTEM_CONTAINER_MODES, type SystemContainerMode } from '../../support/system-container-modes.js';
import { tempDir } from '../../support/temp-dir.js';

const images = inject('images');
const plain = { image: images.busybox, pull: 'never' as const };

const [FALLBACK] = SYSTEM_CONTAINER_MODES as [SystemContainerMode, SystemContainerMode];

/** A Sandkit with both backends, its system containers in the given mode (the insecure fallback by default). */
function newSandkit(
  options: Partial<ConstructorParameters<typeof Sandkit>[0]> = {},
  mode: SystemContainerMode = FALLBACK,
) {
  return new Sandkit({ runtimes: [sysbox(mode.options), socket()], ...options });
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - started;
}

for (const mode of SYSTEM_CONTAINER_MODES)
  describe.skipIf(mode.skipReason !== undefined)(`Sandkit (${mode.name}): choosing a runtime per job`, () => {
    it('gives each job the runtime its docker access needs, and explains the choice', async () => {
      await using sk = newSandkit({}, mode);
      const explained = await sk.explain({ ...plain, docker: 'none' });
      expect(explained.chosen).toBe('socket');
      expect(explained.rejected[0]?.runtime).toBe('sysbox');

      await using sb = await sk.create(plain);
      expect(sb.runtime).toBe('socket');
      // Only the insecure fallback needs the job to be trusted.
      await using inner = await sk.create({
        image: images.dind,
        pull: 'never',
        docker: 'isolated',
        ...(mode.sysbox ? {} : { trust: 'trusted' as const }),
      });
      expect(inner.runtime).toBe('sysbox');
      expect((await inner.exec(['docker', 'info', '--format', '{{.Driver}}'])).stdout.trim()).toBe(
        'overlay2',
      );
      const { docker } = await testEngine();
      expect((await docker.getContainer(inner.containerId).inspect()).HostConfig.Runtime).toBe(
        mode.sysbox ? 'sysbox-runc' : 'runc',
      );
    });
  });

describe('Sandkit: the insecure fallback is for trusted jobs only', () => {
  it('refuses an untrusted job the insecure fallback, saying why, before creating anything', async () => {
    await using sk = newSandkit();
    const error = await sk
      .create({ image: images.dind, pull: 'never', docker: 'isolated' })
      .catch((e: unknown) => e);
    expect(RuntimeUnavailableError.is(error)).toBe(true);
    expect((error as Error).message).toContain('only jobs with trust: "trusted" may use it');
    expect(await leftovers({ session: sk.session.id })).toEqual(NOTHING_LEFT);
  });
});

describe('Sandkit: queueing', () => {
  it('never runs more creates at once than its limit, under 20 concurrent calls', async () => {
    // Count the runtime's creates actually in flight: a real runtime, observed.
    const inner = socket();
    let inFlight = 0;
    let peak = 0;
    const counted: Runtime = {
      name: inner.name,
      probe: () => inner.probe(),
      validate: (spec) => inner.validate(spec),
      engine: () => inner.engine(),
      create: async (spec, options) => {
        peak = Math.max(peak, ++inFlight);
        try {
          return await inner.create(spec, options);
        } finally {
          inFlight--;
        }
      },
    };
    await using sk = new Sandkit({ runtimes: [counted], concurrency: 3 });
    const sandboxes = await Promise.all(Array.from({ length: 20 }, () => sk.create(plain)));
    expect(peak).toBe(3);
    expect(new Set(sandboxes.map((s) => s.id)).size).toBe(20);
    await sk.close();
    expect(await leftovers({ session: sk.session.id })).toEqual(NOTHING_LEFT);
  });

  it('cancels a queued job without it ever touching the engine', async () => {
    await using sk = newSandkit({ concurrency: 1 });
    const seen: Array<[keyof SandkitEvents, string]> = [];
    for (const event of ['queued', 'creating', 'ready', 'failed'] as const) {
      sk.on(event, (payload) => seen.push([event, payload.jobId]));
    }
    const slow = sk.create({ ...plain, readiness: { exec: ['sh', '-c', 'sleep 1'] } });
    await waitUntil(async () => seen.some(([event]) => event === 'creating'), 10_000);
    const controller = new AbortController();
    const queued = sk.create(plain, { signal: controller.signal });
    await waitUntil(async () => seen.filter(([event]) => event === 'queued').length === 2, 10_000);
    controller.abort();
    const error = await queued.catch((e: unknown) => e);
    expect(CancelledError.is(error)).toBe(true);
    const first = await slow;
    const slowJob = seen[0]?.[1];
    expect(seen.filter(([, job]) => job !== slowJob).map(([event]) => event)).toEqual(['queued', 'failed']);
    const { containers } = await leftovers({ session: sk.session.id });
    expect(containers).toHaveLength(1);
    await first.destroy();
  });

  it('cancels a job while it is being created, leaving nothing behind', async () => {
    await using sk = newSandkit();
    const controller = new AbortController();
    sk.on('creating', () => setTimeout(() => controller.abort(), 150));
    const error = await sk
      .create({ ...plain, readiness: { exec: ['sh', '-c', 'sleep 5'] } }, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(CancelledError.is(error)).toBe(true);
    expect(await leftovers({ session: sk.session.id }, { sessionNetworkKept: true })).toEqual(NOTHING_LEFT);
    await sk.close();
    expect(await leftovers({ session: sk.session.id })).toEqual(NOTHING_LEFT);
  });

  it('reports progress events with durations', async () => {
    await using sk = newSandkit();
    const events: Array<[string, Record<string, unknown>]> = [];
    const phases: string[] = [];
    sk.on('phase', ({ phase }) => phases.push(phase));
    for (const name of ['queued', 'creating', 'ready', 'destroyed'] as const) {
      sk.on(name, (payload) => events.push([name, payload as unknown as Record<string, unknown>]));
    }
    const sb = await sk.create(plain);
    await sb.destroy();
    expect(events.map(([name]) => name)).toEqual(['queued', 'creating', 'ready', 'destroyed']);
    const ready = events[2]?.[1] as unknown as SandkitEvents['ready'];
    expect(ready.sandboxId).toBe(sb.id);
    expect(ready.durationMs).toBeGreaterThanOrEqual(ready.createMs);
    expect(sk.sandboxes).toHaveLength(0);
    expect(phases).toEqual([
      `looking up the image ${plain.image}`,
      'creating the container',
      'starting the container',
      'waiting for readiness',
    ]);
  });

  it('reports the seeding phases of a seeded sandbox', async () => {
    await using sk = newSandkit();
    const seeding: string[] = [];
    sk.on('seeding', ({ phase }) => seeding.push(phase));
    await using sb = await sk.create({
      image: images.dind,
      pull: 'never',
      docker: 'isolated',
      trust: 'trusted',
      seed: { images: [images.busybox], strategy: 'load' },
    });
    expect(sb.runtime).toBe('sysbox');
    expect(seeding).toEqual([
      'seeding: preparing 1 image(s)',
      'seeding: loading images into the inner daemon',
    ]);
  });

  it('close() destroys every sandbox it still holds', async () => {
    const sk = newSandkit();
    await sk.create(plain);
    await sk.create(plain);
    expect(sk.sandboxes).toHaveLength(2);
    await sk.close();
    expect(await leftovers({ session: sk.session.id })).toEqual(NOTHING_LEFT);
  });

  it('close() cancels creates still queued or running, and leaves nothing they made', async () => {
    const sk = newSandkit({ concurrency: 1 });
    let creating = false;
    sk.on('creating', () => {
      creating = true;
    });
    // The first is creating (its readiness takes a while), the second and third are queued.
    const jobs = [
      sk.create({ ...plain, readiness: { exec: ['sh', '-c', 'sleep 2'] } }),
      sk.create(plain),
      sk.create(plain),
    ];
    const settled = Promise.allSettled(jobs);
    await waitUntil(async () => creating, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    await sk.close();
    const outcomes = await settled;
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect(CancelledError.is((outcome as PromiseRejectedResult).reason)).toBe(true);
    }
    expect(await leftovers({ session: sk.session.id })).toEqual(NOTHING_LEFT);
    await expect(sk.create(plain)).rejects.toThrow('This Sandkit is closed');
  });
});

describe('Sandkit: concurrency', () => {
  it('creates sandboxes of both backends in parallel on one session network, each runtime with its own connection', async () => {
    // The README's setup: every runtime connects to the engine on its own.
    await using sk = newSandkit();
    const isolated = {
      image: images.dind,
      pull: 'never' as const,
      docker: 'isolated' as const,
      trust: 'trusted' as const,
    };
    const sandboxes = await Promise.all([
      sk.create(plain),
      sk.create(isolated),
      sk.create(plain),
      sk.create(isolated),
    ]);
    expect(sandboxes.map((sb) => sb.runtime).sort()).toEqual(['socket', 'socket', 'sysbox', 'sysbox']);
    expect((await leftovers({ session: sk.session.id })).networks).toEqual([`sandkit-${sk.session.id}`]);
    await sk.close();
    expect(await leftovers({ session: sk.session.id })).toEqual(NOTHING_LEFT);
  });

  it('makes its session network once, not once per sandbox, and removes it at close()', async () => {
    const sk = newSandkit();
    const { docker } = await testEngine();
    const networkIds = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const sb = await sk.create(plain);
      const info = await docker.getContainer(sb.containerId).inspect();
      networkIds.add(Object.values(info.NetworkSettings.Networks)[0]?.NetworkID as string);
      await sb.destroy();
    }
    expect(networkIds.size).toBe(1);
    expect((await leftovers({ session: sk.session.id })).networks).toEqual([`sandkit-${sk.session.id}`]);
    await sk.close();
    expect(await leftovers({ session: sk.session.id })).toEqual(NOTHING_LEFT);
  });

  it('settles on one session network when separate connections race to create it', async () => {
    const session = createSession();
    const runtimes = [socket({ session }), socket({ session }), socket({ session })];
    const sandboxes = await Promise.all(
      runtimes.flatMap((runtime) => [runtime.create(plain), runtime.create(plain)]),
    );
    const { docker } = await testEngine();
    const networks = new Set(
      await Promise.all(
        sandboxes.map(
          async (sb) =>
            Object.values((await docker.getContainer(sb.containerId).inspect()).NetworkSettings.Networks)[0]
              ?.NetworkID,
        ),
      ),
    );
    expect(networks.size).toBe(1);
    await Promise.all(sandboxes.map((sb) => sb.destroy()));
    expect(await leftovers({ session: session.id })).toEqual(NOTHING_LEFT);
  });
});

describe('Sandkit: nothing outlives its owner', () => {
  async function startOrphan(stateDir: string, watchdog: boolean, mode: SystemContainerMode = FALLBACK) {
    const child = spawn(
      process.execPath,
      [
        join(import.meta.dirname, '../../support/orphan-child.mjs'),
        images.busybox,
        images.dind,
        stateDir,
        watchdog ? 'watchdog' : 'no-watchdog',
        mode.sysbox ? 'sysbox' : 'fallback',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = await Promise.race([
      (async () => {
        for await (const l of createInterface({ input: child.stdout })) return [l];
        return [''];
      })(),
      new Promise<string[]>((_, reject) =>
        setTimeout(() => reject(new Error('child did not report')), 60_000),
      ),
    ]);
    return { child, ...(JSON.parse(line as string) as { session: string; sandboxes: string[] }) };
  }

  for (const mode of SYSTEM_CONTAINER_MODES)
    it.skipIf(mode.skipReason !== undefined)(
      `sweeps the session from the engine and the host within seconds of a SIGKILL of its owner (${mode.name})`,
      async () => {
        const stateDir = await tempDir('sandkit-state-');
        const { child, session } = await startOrphan(stateDir, true, mode);
        expect((await leftovers({ session })).containers).toHaveLength(2);
        expect(await readdir(stateDir)).toHaveLength(1);
        child.kill('SIGKILL');
        const killedAt = Date.now();
        const sweptMs = await waitUntil(
          async () =>
            JSON.stringify(await leftovers({ session })) === JSON.stringify(NOTHING_LEFT) &&
            (await readdir(stateDir)).length === 0,
          20_000,
        );
        console.log(
          `[orchestrator] ${mode.name}: session swept ${sweptMs} ms after SIGKILL (${Date.now() - killedAt} ms wall)`,
        );
        expect(sweptMs).toBeLessThan(20_000);
      },
    );

  it('a new Sandkit removes what a dead owner without a watchdog left behind', async () => {
    const stateDir = await tempDir('sandkit-state-');
    const { child, session } = await startOrphan(stateDir, false);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    await new Promise((r) => setTimeout(r, 500));
    expect((await leftovers({ session })).containers).toHaveLength(2);
    await using sk = newSandkit();
    const report = await sk.gc();
    expect(report.containers.length).toBeGreaterThanOrEqual(2);
    expect(await leftovers({ session })).toEqual(NOTHING_LEFT);
    expect(await readdir(stateDir)).toEqual([]);
  });

  it("a guarded job's siblings, networks and volumes expire with its sandbox: gc removes them together", async () => {
    const session = createSession();
    const stateDir = await tempDir('sandkit-state-');
    const sb = await socket({ session, stateDir }).create({
      image: images.dind,
      pull: 'never',
      docker: 'shared',
      cmd: ['sleep', 'infinity'],
      ttlMs: 3_000,
    });
    await sb.exec(['docker', 'network', 'create', 'job-net']);
    await sb.exec(['docker', 'volume', 'create', 'job-data']);
    await sb.exec([
      'docker',
      'run',
      '-d',
      '--network',
      'job-net',
      '-v',
      'job-data:/data',
      images.busybox,
      'sleep',
      '600',
    ]);
    expect((await leftovers({ sandbox: sb.id })).containers).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 3_500));
    await using sk = newSandkit();
    await sk.gc();
    expect(await leftovers({ sandbox: sb.id })).toEqual(NOTHING_LEFT);
    expect(await readdir(stateDir)).toEqual([]);
    await sb.destroy();
    expect(await leftovers({ session: session.id })).toEqual(NOTHING_LEFT);
  });

  it('the engine itself stops a sandbox whose ttl passed, with no sandkit process involved; gc then removes it', async () => {
    const session = createSession();
    const sb = await socket({ session }).create({ ...plain, ttlMs: 2_000 });
    const { docker } = await testEngine();
    const stoppedMs = await waitUntil(
      async () => !(await docker.getContainer(sb.containerId).inspect()).State.Running,
      20_000,
    );
    console.log(
      `[orchestrator] ttl 2000 ms: the engine stopped the sandbox ${stoppedMs} ms after it was ready`,
    );
    await using sk = newSandkit();
    const report = await sk.gc();
    expect(report.containers).toContain(sb.containerId);
    // The session's network goes with the session's last sandbox.
    await sb.destroy();
    expect(await leftovers({ session: session.id })).toEqual(NOTHING_LEFT);
  });
});
