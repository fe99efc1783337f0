// A process that creates sandboxes of both backends through Sandkit, reports
// them on stdout, then waits to be killed (test/integration/orchestrator).
import { Sandkit } from '@sandkit/core';
import { socket } from '@sandkit/runtime-socket';
import { sysbox } from '@sandkit/runtime-sysbox';

const [busybox, dind, stateDir, watchdog, mode] = process.argv.slice(2);
const systemContainers = mode === 'sysbox' ? {} : { allowInsecure: 'always', onWarning: () => {} };
const sk = new Sandkit({
  runtimes: [sysbox({ ...systemContainers, stateDir }), socket()],
  watchdog: watchdog !== 'no-watchdog',
});
const plain = await sk.create({ image: busybox, pull: 'never' });
const isolated = await sk.create({ image: dind, pull: 'never', docker: 'isolated', trust: 'trusted' });
console.log(JSON.stringify({ session: sk.session.id, sandboxes: [plain.id, isolated.id] }));
setInterval(() => {}, 60_000);
