/**
 * Warm pools: how long `pool.acquire()` takes from a warm pool against
 * `create()` of the same spec, for a plain sandbox and a seeded isolated one
 * (system container; the insecure fallback unless Sysbox is there), what a
 * refill costs, and the steady-state throughput of "acquire → exec → destroy"
 * with a pool of 4 against "create → exec → destroy", in the same run.
 */
import { createSession, type SandboxSpec, Sandkit } from '@sandkit/core';
import { socket } from '@sandkit/runtime-socket';
import { sysbox } from '@sandkit/runtime-sysbox';
import { sweepByLabel } from '../packages/core/src/engine/sweep-by-label.js';
import { benchSetup } from './support/bench-engine.js';
import { report, round, summarize, timed } from './support/report.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const LOOP_JOBS = Number(process.env.BENCH_LOOP_JOBS ?? 16);
const { engine, images } = await benchSetup();
const session = createSession();
const hasSysbox = (await sysbox({ engine }).probe()).available;
const sandkit = new Sandkit({
  runtimes: [sysbox({ engine, allowInsecure: true, onWarning: () => {} }), socket({ engine })],
  session,
});
const specs: Array<{ name: string; spec: SandboxSpec }> = [
  { name: 'plain (socket, docker: none)', spec: { image: images.busybox, pull: 'never' } },
  {
    name: `isolated, seeded by load (${hasSysbox ? 'Sysbox' : 'insecure fallback'})`,
    spec: {
      image: images.dind,
      pull: 'never',
      docker: 'isolated',
      trust: 'trusted',
      seed: { images: [images.busybox], strategy: 'load' },
    },
  },
];

function untilIdle(poolIdle: () => number, idle: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (poolIdle() >= idle ? resolve() : setTimeout(check, 20));
    check();
  });
}

const rows: Array<Record<string, string | number>> = [];
try {
  for (const { name, spec } of specs) {
    const created: number[] = [];
    const acquired: number[] = [];
    const refills: number[] = [];
    const pool = sandkit.pool(spec, { min: 1 });
    for (let i = 0; i < ROUNDS; i++) {
      const [sb, createMs] = await timed(() => sandkit.create(spec));
      created.push(createMs);
      await sb.destroy();
      await untilIdle(() => pool.state.idle, 1);
      const [member, acquireMs] = await timed(() => pool.acquire());
      acquired.push(acquireMs);
      const [, refillMs] = await timed(() => untilIdle(() => pool.state.idle, 1));
      refills.push(refillMs);
      await member.destroy();
    }
    await pool.close();
    const c = summarize(created);
    const a = summarize(acquired);
    rows.push({
      spec: name,
      'create() p50 ms': c.p50,
      'acquire() p50 ms': a.p50,
      'acquire() p95 ms': a.p95,
      'acquire / create': round(a.p50 / c.p50, 3),
      'refill p50 ms (in the background)': summarize(refills).p50,
    });
    console.log(rows.at(-1));
  }

  // Steady state: jobs that each need a fresh plain sandbox, one after another.
  const job = async (sb: { exec(c: string[]): Promise<unknown>; destroy(): Promise<void> }) => {
    await sb.exec(['true']);
    await sb.destroy();
  };
  const [, plainMs] = await timed(async () => {
    for (let i = 0; i < LOOP_JOBS; i++) await job(await sandkit.create(specs[0]?.spec as SandboxSpec));
  });
  const pool = sandkit.pool(specs[0]?.spec as SandboxSpec, { min: 4 });
  await untilIdle(() => pool.state.idle, 4);
  const [, pooledMs] = await timed(async () => {
    for (let i = 0; i < LOOP_JOBS; i++) await job(await pool.acquire());
  });
  await pool.close();
  rows.push({
    spec: `${LOOP_JOBS} jobs in a row: create → exec → destroy`,
    'jobs per second': round((LOOP_JOBS * 1000) / plainMs, 2),
  });
  rows.push({
    spec: `${LOOP_JOBS} jobs in a row: acquire (pool of 4) → exec → destroy`,
    'jobs per second': round((LOOP_JOBS * 1000) / pooledMs, 2),
    'vs create': round(plainMs / pooledMs, 2),
  });
  report('pool-acquire', rows, { rounds: ROUNDS, unit: 'ms' });
} finally {
  await sandkit.close();
  await sweepByLabel(engine, { session: session.id });
}
