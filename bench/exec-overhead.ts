/**
 * exec overhead: sandkit's `sandbox.exec()` against the naive dockerode exec
 * (create, start, demux, inspect) on the same container, same run.
 */
import { PassThrough } from 'node:stream';
import { createSession, type Engine } from '@sandkit/core';
import { socket } from '@sandkit/runtime-socket';
import { benchSetup } from './support/bench-engine.js';
import { report, round, summarize } from './support/report.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 60);
const COMMAND = ['sh', '-c', 'echo out; echo err >&2'];

async function rawDockerodeExec(engine: Engine, containerId: string): Promise<void> {
  const exec = await engine.docker
    .getContainer(containerId)
    .exec({ Cmd: COMMAND, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const err = new PassThrough();
  out.resume();
  err.resume();
  engine.docker.modem.demuxStream(stream, out, err);
  await new Promise((resolve) => stream.on('end', resolve));
  await exec.inspect();
}

const { engine, images } = await benchSetup();
const session = createSession();
const runtime = socket({ engine, session });
const sandbox = await runtime.create({ image: images.busybox, pull: 'never' });
try {
  const naive: number[] = [];
  const sandkit: number[] = [];
  for (let i = 0; i < 5; i++) {
    await rawDockerodeExec(engine, sandbox.containerId);
    await sandbox.exec(COMMAND);
  }
  // Interleaved so both see the same machine load.
  for (let i = 0; i < ITERATIONS; i++) {
    let t = performance.now();
    await rawDockerodeExec(engine, sandbox.containerId);
    naive.push(performance.now() - t);
    t = performance.now();
    await sandbox.exec(COMMAND);
    sandkit.push(performance.now() - t);
  }
  const a = summarize(naive);
  const b = summarize(sandkit);
  report(
    'exec-overhead',
    [
      { way: 'raw dockerode exec (naive)', ...a },
      { way: 'sandbox.exec()', ...b },
      {
        way: 'ratio sandkit / naive',
        n: ITERATIONS,
        p50: round(b.p50 / a.p50),
        p95: round(b.p95 / a.p95),
        mean: round(b.mean / a.mean),
      },
    ],
    { command: COMMAND, unit: 'ms' },
  );
} finally {
  await sandbox.destroy();
}
