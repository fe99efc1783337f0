// An owner that creates a docker: 'shared' sandbox, has its job use the engine, destroys it and
// returns from its main module: it must print "done" and exit by itself (test/faults/blocked-owner).
import { createSession } from '@sandkit/core';
import { socket } from '@sandkit/runtime-socket';

const [dind] = process.argv.slice(2);
const job = await socket({ session: createSession() }).create({
  image: dind,
  pull: 'never',
  docker: 'shared',
  cmd: ['sleep', 'infinity'],
});
const ps = await job.exec(['docker', 'ps', '-q']);
await job.destroy();
console.log(ps.exitCode === 0 ? 'done' : `docker ps failed: ${ps.stderr}`);
