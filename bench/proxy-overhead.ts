/**
 * Guarded socket overhead: the per-sandbox proxy against the engine's own
 * socket, same machine, same run — latency of simple API calls, from this
 * process (the sandbox's owner) and from another process (as a job calls),
 * and throughput of a streamed response (100 MB of container logs).
 */

import { createSession } from '@sandkit/core';
import { LABEL } from '@sandkit/core/runtime';
import { socket } from '@sandkit/runtime-socket';
import type Dockerode from 'dockerode';
import { execa } from 'execa';
import { sweepByLabel } from '../packages/core/src/engine/sweep-by-label.js';
import { benchSetup } from './support/bench-engine.js';
import { report, round, summarize } from './support/report.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const LOG_BYTES = 100 * 1024 * 1024;
const { engine, images } = await benchSetup();
const session = createSession();
const job = await socket({ engine, session }).create({
  image: images.dind,
  pull: 'never',
  docker: 'shared',
  cmd: ['sleep', 'infinity'],
});

async function latency(call: (client: Dockerode) => Promise<unknown>) {
  const direct: number[] = [];
  const proxied: number[] = [];
  for (let i = 0; i < 20; i++) {
    await call(engine.docker);
    await call(job.docker());
  }
  for (let i = 0; i < CALLS; i++) {
    let t = performance.now();
    await call(engine.docker);
    direct.push(performance.now() - t);
    t = performance.now();
    await call(job.docker());
    proxied.push(performance.now() - t);
  }
  return { direct: summarize(direct), proxied: summarize(proxied) };
}

/** The same comparison from a client process of its own (`support/latency-client.ts`). */
async function latencyFromAnotherProcess(path: string) {
  const { stdout } = await execa(
    'tsx',
    [
      new URL('support/latency-client.ts', import.meta.url).pathname,
      new URL(engine.address).pathname,
      (job.dockerHost as string).replace(/^unix:\/\//, ''),
      path,
      String(CALLS),
    ],
    { preferLocal: true },
  );
  const samples = JSON.parse(stdout) as { direct: number[]; proxied: number[] };
  return { direct: summarize(samples.direct), proxied: summarize(samples.proxied) };
}

async function drainLogs(client: Dockerode, id: string): Promise<number> {
  const t = performance.now();
  const stream = (await client
    .getContainer(id)
    .logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream;
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  if (bytes < LOG_BYTES) throw new Error(`read only ${bytes} bytes of logs`);
  return bytes / 1024 ** 2 / ((performance.now() - t) / 1000);
}

try {
  // Same question both ways: the job's own containers (the proxy adds this filter itself).
  const filters = JSON.stringify({ label: [`${LABEL.sandbox}=${job.id}`] });
  const list = await latency((c) => c.listContainers({ all: true, filters }));
  const ping = await latency((c) => c.ping());
  const listElsewhere = await latencyFromAnotherProcess(
    `/containers/json?all=1&filters=${encodeURIComponent(filters)}`,
  );
  const pingElsewhere = await latencyFromAnotherProcess('/_ping');

  const producer = await job.docker().createContainer({
    Image: images.busybox,
    Cmd: ['sh', '-c', `head -c ${LOG_BYTES} /dev/zero | tr '\\0' x`],
  });
  await producer.start();
  await producer.wait();
  const throughput = { direct: [] as number[], proxied: [] as number[] };
  for (let i = 0; i < 3; i++) {
    throughput.direct.push(await drainLogs(engine.docker, producer.id));
    throughput.proxied.push(await drainLogs(job.docker(), producer.id));
  }
  const d = summarize(throughput.direct);
  const p = summarize(throughput.proxied);
  /** One measure, direct against proxied, with their ratio. */
  const ratioRow = (measure: string, direct: number, proxied: number) => ({
    measure,
    direct,
    proxied,
    'ratio proxied/direct': round(proxied / direct),
  });
  report(
    'proxy-overhead',
    [
      ratioRow('GET /containers/json p50 ms', list.direct.p50, list.proxied.p50),
      ratioRow('GET /containers/json p95 ms', list.direct.p95, list.proxied.p95),
      ratioRow('GET /_ping p50 ms', ping.direct.p50, ping.proxied.p50),
      ratioRow(
        'GET /containers/json p50 ms, another process',
        listElsewhere.direct.p50,
        listElsewhere.proxied.p50,
      ),
      ratioRow('GET /_ping p50 ms, another process', pingElsewhere.direct.p50, pingElsewhere.proxied.p50),
      ratioRow('logs stream MB/s (median of 3)', d.p50, p.p50),
    ],
    { calls: CALLS, logBytes: LOG_BYTES },
  );
} finally {
  await job.destroy();
  await sweepByLabel(engine, { session: session.id });
}
