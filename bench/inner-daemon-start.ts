/**
 * Inner daemon start: create → inner dockerd ready, for the sysbox runtime (on
 * the insecure fallback when Sysbox is absent) against the naive way — `docker
 * run` of the same dind image with the same rights, polled with `docker exec …
 * docker info` — single and 4 in parallel, plus teardown of a running sandbox.
 */
import { createSession, LABEL, sweepByLabel } from '@sandkit/core';
import { detectPrivilegeMode, REMOUNT_CGROUPS_RW, sysbox } from '@sandkit/runtime-sysbox';
import { execa } from 'execa';
import { benchSetup } from './support/bench-engine.js';
import { report, round, summarize } from './support/report.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const { engine, images } = await benchSetup();
const session = createSession();
const runtime = sysbox({ engine, session, allowInsecure: true, onWarning: () => {} });
const probe = await runtime.probe();
const mode = await detectPrivilegeMode(engine);
const rights =
  mode.kind === 'privileged'
    ? ['--privileged']
    : [
        ...mode.capAdd.flatMap((c) => ['--cap-add', c]),
        '--security-opt',
        'seccomp=unconfined',
        '--security-opt',
        'apparmor=unconfined',
      ];

let naiveCount = 0;
async function naiveStart(): Promise<{ readyMs: number; teardownMs: number }> {
  const name = `sandkit-bench-naive-${process.pid}-${naiveCount++}`;
  const started = performance.now();
  await execa('docker', [
    'run',
    '-d',
    '--name',
    name,
    '--label',
    `${LABEL.managed}=true`,
    '--label',
    `${LABEL.session}=${session.id}`,
    ...rights,
    '-v',
    '/var/lib/docker',
    images.dind,
    'sh',
    '-c',
    `${REMOUNT_CGROUPS_RW}\nexec dockerd`,
  ]);
  for (;;) {
    const { exitCode } = await execa('docker', ['exec', name, 'docker', 'info'], { reject: false });
    if (exitCode === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const readyMs = performance.now() - started;
  const stopping = performance.now();
  await execa('docker', ['stop', name]);
  await execa('docker', ['rm', '-v', name]);
  return { readyMs, teardownMs: performance.now() - stopping };
}

async function sandkitStart(): Promise<{ readyMs: number; teardownMs: number }> {
  const started = performance.now();
  const sb = await runtime.create({ image: images.dind, pull: 'never', docker: 'isolated' });
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

try {
  await sandkitStart(); // warm-up (privilege detection, page cache)
  await naiveStart();
  const single = { naive: [] as number[], sandkit: [] as number[] };
  const teardown = { naive: [] as number[], sandkit: [] as number[] };
  const four = { naive: [] as number[], sandkit: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    const n = await naiveStart();
    const s = await sandkitStart();
    single.naive.push(n.readyMs);
    single.sandkit.push(s.readyMs);
    teardown.naive.push(n.teardownMs);
    teardown.sandkit.push(s.teardownMs);
  }
  for (let i = 0; i < Math.max(1, Math.floor(ROUNDS / 2)); i++) {
    four.naive.push(await parallel(naiveStart, 4));
    four.sandkit.push(await parallel(sandkitStart, 4));
  }
  const rows = [];
  for (const [what, sample] of [
    ['create → ready, 1 sandbox', single],
    ['create → ready, 4 in parallel (wall)', four],
    ['teardown of a running sandbox', teardown],
  ] as const) {
    const a = summarize(sample.naive);
    const b = summarize(sample.sandkit);
    rows.push({ what, way: 'naive docker run + exec poll', ...a });
    rows.push({ what, way: 'sandkit sysbox runtime', ...b });
    rows.push({
      what,
      way: 'ratio sandkit / naive',
      n: b.n,
      p50: round(b.p50 / a.p50),
      p95: round(b.p95 / a.p95),
      mean: round(b.mean / a.mean),
    });
  }
  report('inner-daemon-start', rows, {
    unit: 'ms',
    runtimeMode: probe.insecure ? `insecure fallback (${mode.kind})` : 'sysbox',
  });
} finally {
  await sweepByLabel(engine, { session: session.id });
}
