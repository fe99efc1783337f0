/**
 * Plain sandbox create → ready and destroy against raw dockerode, interleaved
 * in one run, in a shuffled order each round, on the same image (httpd, one
 * published port, on a network of its own; ready = the port accepts):
 * sandkit's socket runtime (`docker: 'none'`), the same through `Sandkit`, raw
 * dockerode (create, start, inspect, TCP accept on the container's address;
 * `remove({ force })`), and testcontainers 12 (`GenericContainer.start()` with
 * its default wait for the exposed port, Ryuk off; `stop()`, which removes).
 * Then 8 concurrent, wall time, and a trace of every engine call one sandkit
 * create and destroy make, with timestamps, to show where the time goes.
 */
import { createConnection } from 'node:net';
import { createSession, type Engine, Sandkit } from '@sandkit/core';
import { LABEL } from '@sandkit/core/runtime';
import { HTTPD_PORT } from '@sandkit/host-setup';
import { socket } from '@sandkit/runtime-socket';
import { sweepByLabel } from '../packages/core/src/engine/sweep-by-label.js';
import { benchSetup } from './support/bench-engine.js';
import { report, round, summarize, timed } from './support/report.js';
import { traceEngineCalls } from './support/trace-engine-calls.js';

// testcontainers reads its settings once, at first use: its reaper (Ryuk) cannot be pulled offline.
process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
const { GenericContainer } = await import('testcontainers');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const WARMUPS = 2;
const { engine, images } = await benchSetup();
const session = createSession();
const labels = { [LABEL.managed]: 'true', [LABEL.session]: session.id };
// The runtime on a session of its own: used directly, it removes the session network with its
// last sandbox, where a Sandkit keeps it for its whole life.
const runtimeSession = createSession();
const runtime = socket({ engine, session: runtimeSession });
const sandkit = new Sandkit({ runtimes: [socket({ engine, session })], session, concurrency: 20 });
const spec = {
  image: images.httpd,
  pull: 'never' as const,
  ports: [HTTPD_PORT],
  readiness: { port: HTTPD_PORT },
};
// Raw dockerode gets a network of its own too (never the default bridge), created once, as sandkit's session network is.
const rawNetwork = await engine.docker.createNetwork({
  Name: `sandkit-bench-raw-${session.id}`,
  Labels: labels,
});

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The hand-written way: what a careful user writes with dockerode. */
async function rawCreate(docker: Engine['docker']): Promise<{ remove: () => Promise<void> }> {
  const container = await docker.createContainer({
    Image: images.httpd,
    Labels: labels,
    ExposedPorts: { [`${HTTPD_PORT}/tcp`]: {} },
    HostConfig: {
      NetworkMode: rawNetwork.id,
      PortBindings: { [`${HTTPD_PORT}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
    },
  });
  await container.start();
  const info = await container.inspect();
  const ip = Object.values(info.NetworkSettings.Networks)[0]?.IPAddress as string;
  while (!(await accepts(ip, HTTPD_PORT))) await new Promise((r) => setTimeout(r, 10));
  return { remove: () => container.remove({ force: true }) };
}

/** A copy in random order, so no way always runs right after another. */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

interface Way {
  name: string;
  create: () => Promise<{ remove: () => Promise<void> }>;
}
const ways: Way[] = [
  { name: 'raw dockerode', create: () => rawCreate(engine.docker) },
  {
    name: 'testcontainers',
    create: async () => {
      const container = await new GenericContainer(images.httpd)
        .withExposedPorts(HTTPD_PORT)
        .withNetworkMode(rawNetwork.id)
        .withLabels(labels)
        .start();
      return { remove: async () => void (await container.stop({ timeout: 0 })) };
    },
  },
  {
    name: 'sandkit socket runtime',
    create: async () => {
      const sb = await runtime.create(spec);
      return { remove: () => sb.destroy() };
    },
  },
  {
    name: 'sandkit via Sandkit',
    create: async () => {
      const sb = await sandkit.create(spec);
      return { remove: () => sb.destroy() };
    },
  },
];

const rows: Array<Record<string, string | number>> = [];
try {
  const ready = new Map(ways.map((w) => [w.name, [] as number[]]));
  const removed = new Map(ways.map((w) => [w.name, [] as number[]]));
  for (let round_ = 0; round_ < WARMUPS + ROUNDS; round_++) {
    for (const way of shuffled(ways)) {
      const [made, createMs] = await timed(way.create);
      const [, removeMs] = await timed(made.remove);
      if (round_ < WARMUPS) continue;
      ready.get(way.name)?.push(createMs);
      removed.get(way.name)?.push(removeMs);
    }
  }
  const concurrent = new Map<string, Map<number, number[]>>(ways.map((w) => [w.name, new Map()]));
  for (const n of [8, 20]) {
    for (let i = 0; i < 3; i++) {
      for (const way of shuffled(ways)) {
        const [, wallMs] = await timed(async () => {
          const made = await Promise.all(Array.from({ length: n }, way.create));
          await Promise.all(made.map((m) => m.remove()));
        });
        const byN = concurrent.get(way.name) as Map<number, number[]>;
        byN.set(n, [...(byN.get(n) ?? []), wallMs]);
      }
    }
  }
  const base = (what: Map<string, number[]>) => summarize(what.get('raw dockerode') as number[]).p50;
  for (const way of ways) {
    const r = summarize(ready.get(way.name) as number[]);
    const d = summarize(removed.get(way.name) as number[]);
    const row: Record<string, string | number> = {
      way: way.name,
      'create → ready p50 ms': r.p50,
      'vs raw': round(r.p50 / base(ready)),
      'destroy p50 ms': d.p50,
      'destroy vs raw': round(d.p50 / base(removed)),
    };
    for (const [n, samples] of concurrent.get(way.name) as Map<number, number[]>) {
      const raw = summarize(concurrent.get('raw dockerode')?.get(n) as number[]).p50;
      row[`${n} at once, wall p50 ms`] = summarize(samples).p50;
      row[`${n} at once vs raw`] = round(summarize(samples).p50 / raw);
    }
    rows.push(row);
  }

  // Where one create and one destroy spend their time, engine call by engine call.
  const trace = traceEngineCalls(engine);
  const t0 = performance.now();
  const sb = await runtime.create(spec);
  const createdAt = performance.now();
  await sb.destroy();
  const calls = trace.stop();
  const breakdown = calls.map((c) => ({
    phase: c.startMs < createdAt - t0 ? 'create' : 'destroy',
    call: `${c.method} ${c.path}`,
    'starts at ms': round(c.startMs, 1),
    'takes ms': round(c.durationMs, 1),
  }));
  report('create-overhead', rows, { rounds: ROUNDS, breakdown, unit: 'ms' });
  console.table(breakdown);
} finally {
  await sandkit.close();
  await sweepByLabel(engine, { session: session.id });
  await sweepByLabel(engine, { session: runtimeSession.id });
  await engine.docker
    .getNetwork(rawNetwork.id)
    .remove()
    .catch(() => {});
}
