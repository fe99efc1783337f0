// An owner process for the crash suite (test/faults): creates one sandbox through Sandkit and prints
// one JSON line per creation phase, then "ready" and, if asked, "exec" once a command runs in it;
// or, given `pool: n`, keeps a warm pool of n and prints "pool idle" once all n are ready. Given
// `job`, runs that command in the sandbox once it is ready and prints "job done". Given `cluster`
// (a cluster spec; `preset: 'swarm'` for the swarm preset), creates that cluster instead, printing
// each node's phases as "<node>: <phase>" and "cluster ready".
// The test SIGKILLs it at one of those moments and checks that nothing it owned survives.
import { Sandkit, swarm } from '@sandkit/core';
import { socket } from '@sandkit/runtime-socket';
import { sysbox } from '@sandkit/runtime-sysbox';

const { mode, spec, stateDir, seedStore, exec, pool, job, cluster } = JSON.parse(process.argv[2]);
const say = (line) => console.log(JSON.stringify(line));
const sk = new Sandkit({
  runtimes: [
    sysbox({
      ...(mode === 'sysbox' ? {} : { allowInsecure: 'always', onWarning: () => {} }),
      stateDir,
      ...(seedStore ? { seedStore } : {}),
    }),
    socket({ stateDir }),
  ],
});
say({ session: sk.session.id });
sk.on('phase', ({ phase }) => say({ phase }));
if (cluster) {
  sk.on('node', ({ node, phase }) => say({ phase: `${node}: ${phase}` }));
  await sk.cluster({ ...cluster, ...(cluster.preset === 'swarm' ? { preset: swarm() } : {}) });
  say({ phase: 'cluster ready' });
  setInterval(() => {}, 60_000);
} else if (pool) {
  sk.on('pool', ({ idle }) => {
    if (idle === pool) say({ phase: 'pool idle' });
  });
  sk.pool(spec, { min: pool });
  setInterval(() => {}, 60_000);
} else {
  await createOne();
}

async function createOne() {
  const sb = await sk.create(spec);
  say({ phase: 'ready', sandboxId: sb.id });
  if (job) {
    await sb.exec(job);
    say({ phase: 'job done' });
  }
  if (exec) {
    const running = sb.exec(['sleep', '600']);
    say({ phase: 'exec' });
    await running;
  }
  setInterval(() => {}, 60_000);
}
