import { appendFileSync } from 'node:fs';
import type { Sandbox, Sandkit } from '@sandkit/core';
import { socket } from '@sandkit/runtime-socket';
import { sandboxTest } from '@sandkit/vitest';
import { spec } from './spec.js';

/** The file in which each test notes its sandbox comes from the outer test. */
const { SANDKIT_VITEST_RECORD = '/dev/null' } = process.env;

export const it = sandboxTest({ runtimes: () => [socket()], spec });

/** Notes the sandbox and its worker's session for the outer test, which checks after the run that both are gone. */
export function record(file: string, sandkit: Sandkit, sandbox: Sandbox): void {
  appendFileSync(
    SANDKIT_VITEST_RECORD,
    `${JSON.stringify({ file, session: sandkit.session.id, sandbox: sandbox.id, pid: process.pid })}\n`,
  );
}
