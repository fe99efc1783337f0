import { expect } from 'vitest';
import { it, record } from './fixture.js';

it('gets a running sandbox of its own', async ({ sandkit, sandbox }) => {
  record('passing', sandkit, sandbox);
  expect((await sandbox.exec(['echo', 'inside'])).stdout).toBe('inside\n');
});

it('gets another sandbox than the previous test', async ({ sandkit, sandbox }) => {
  record('passing', sandkit, sandbox);
  expect((await sandbox.status()).running).toBe(true);
});
