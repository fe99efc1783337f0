/**
 * Inner daemon start: create → inner dockerd ready, for the sysbox runtime on
 * its insecure fallback and (where the engine has it) under a real Sysbox,
 * each against the naive way done fairly — dockerode create and start of the
 * same dind image with the same rights and an anonymous volume for the data
 * root, readiness polled with `docker info` through the engine's exec API,
 * `remove({ force, v })` — single and 4 in parallel, plus teardown of a
 * running sandbox.
 */
import { createSession } from '@sandkit/core';
import { LABEL } from '@sandkit/core/runtime';
import { detectPrivilegeMode, sysbox } from '@sandkit/runtime-sysbox';
import type Dockerode from 'dockerode';
import { sweepByLabel } from '../packages/core/src/engine/sweep-by-label.js';
import { REMOUNT_CGROUPS_RW } from '../packages/runtime-sysbox/src/fallback/privileged-host-config.js';
import { benchSetup } from './support/bench-engine.js';
import { report, round, summarize } from './support/report.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const { engine, images } = await benchSetup();
const session = createSession();
const privilege = await detectPrivilegeMode(engine);
const fallbackRights: HostConfig =
  privilege.kind === 'privileged'
    ? { Privileged: true }
    : { CapAdd: privilege.capAdd, SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'] };
const hasSysbox = (await sysbox({ engine }).probe()).available;
// The naive way gets a network of its own, as sandkit's sandboxes do (never the default bridge).
const network = await engine.docker.createNetwork({
  Name: `sandkit-bench-naive-${session.id}`,
  Labels: { [LABEL.managed]: 'true', [LABEL.session]: session.id },
});
if (!hasSysbox) console.log('[bench] no Sysbox on this engine: measuring the insecure fallback only');

/** A way the sysbox runtime runs sandboxes, and the naive equivalent's `docker run` flags. */
interface Mode {
  name: string;
  runtime: ReturnType<typeof sysbox>;
  rights: HostConfig;
  /** The shell prelude the naive way needs before dockerd. */
  prelude: string;
}
type HostConfig = NonNullable<Dockerode.ContainerCreateOptions['HostConfig']>;
const modes: Mode[] = [
  {
    name: `insecure fallback (${privilege.kind})`,
    runtime: sysbox({ engine, session, allowInsecure: 'always', onWarning: () => {} }),
    rights: fallbackRights,
    prelude: REMOUNT_CGROUPS_RW,
  },
  ...(hasSysbox
    ? [
        {
          name: 'real Sysbox',
          runtime: sysbox({ engine, session }),
          rights: { Runtime: 'sysbox-runc' },
          prelude: '',
        },
      ]
    : []),
];

/** What a careful user writes with dockerode: create, start, poll `docker info` by exec, force-remove. */
async function naiveStart(mode: Mode): Promise<{ readyMs: number; teardownMs: number }> {
  const started = performance.now();
  const container = await engine.docker.createContainer({
    Image: images.dind,
    Labels: { [LABEL.managed]: 'true', [LABEL.session]: session.id },
    Cmd: ['sh', '-c', `${mode.prelude}\nexec dockerd`],
    Volumes: { '/var/lib/docker': {} },
    HostConfig: { ...mode.rights, NetworkMode: network.id },
  });
  await container.start();
  for (;;) {
    const exec = await container.exec({ Cmd: ['docker', 'info'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({});
    stream.resume();
    await new Promise((resolve) => stream.on('end', resolve));
    if ((await exec.inspect()).ExitCode === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const readyMs = performance.now() - started;
  const stopping = performance.now();
  await container.remove({ force: true, v: true });
  return { readyMs, teardownMs: performance.now() - stopping };
}

async function sandkitStart(mode: Mode): Promise<{ readyMs: number; teardownMs: number }> {
  const started = performance.now();
  const sb = await mode.runtime.create({ image: images.dind, pull: 'never', docker: 'isolated' });
  const readyMs = performance.now() - started;
  await sb.exec(['docker', 'network', 'create', 'busy']);
  const stopping = performance.now();
  await sb.destroy();
  return { readyMs, teardownMs: performance.now() - stopping };
}

async function parallel(start: () => Promise<{ readyMs: number }>, n: number): Promise<number> {
  const t = performance.now();
  await Promise.all(Array.from({ length: n }, start));
  return performance.now() - t;
}

const rows = [];
try {
  for (const mode of modes) {
    await sandkitStart(mode); // warm-up (privilege detection, page cache)
    await naiveStart(mode);
    const single = { naive: [] as number[], sandkit: [] as number[] };
    const teardown = { naive: [] as number[], sandkit: [] as number[] };
    const four = { naive: [] as number[], sandkit: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      const n = await naiveStart(mode);
      const s = await sandkitStart(mode);
      single.naive.push(n.readyMs);
      single.sandkit.push(s.readyMs);
      teardown.naive.push(n.teardownMs);
      teardown.sandkit.push(s.teardownMs);
    }
    for (let i = 0; i < Math.max(1, Math.floor(ROUNDS / 2)); i++) {
      four.naive.push(await parallel(() => naiveStart(mode), 4));
      four.sandkit.push(await parallel(() => sandkitStart(mode), 4));
    }
    for (const [what, sample] of [
      ['create → ready, 1 sandbox', single],
      ['create → ready, 4 in parallel (wall)', four],
      ['teardown of a running sandbox', teardown],
    ] as const) {
      const a = summarize(sample.naive);
      const b = summarize(sample.sandkit);
      rows.push({ mode: mode.name, what, way: 'naive dockerode + exec-API poll', ...a });
      rows.push({ mode: mode.name, what, way: 'sandkit sysbox runtime', ...b });
      rows.push({
        mode: mode.name,
        what,
        way: 'ratio sandkit / naive',
        n: b.n,
        p50: round(b.p50 / a.p50),
        p95: round(b.p95 / a.p95),
        mean: round(b.mean / a.mean),
      });
    }
  }
  report('inner-daemon-start', rows, { unit: 'ms', modes: modes.map((m) => m.name) });
} finally {
  await sweepByLabel(engine, { session: session.id });
}
