import { it, record } from './fixture.js';

it('takes its worker down with SIGKILL while its sandbox is live', async ({ sandkit, sandbox }) => {
  record('crashing', sandkit, sandbox);
  process.kill(process.pid, 'SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 10_000));
});
