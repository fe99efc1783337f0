import { expect } from 'vitest';
import { it, record } from './fixture.js';

it('fails, and its failure shows the sandbox logs', async ({ sandkit, sandbox }) => {
  record('failing', sandkit, sandbox);
  await sandbox.exec(['sh', '-c', 'echo said by a command > /proc/1/fd/1']);
  expect('what the test got').toBe('what it wanted');
});
