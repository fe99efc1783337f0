import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { connectEngine, type Engine } from '@sandkit/core';
import { tempDir } from './temp-dir.js';

/** The test engine behind a relay process that can be frozen: an engine that stops answering, on demand. */
export interface FreezableEngine {
  engine: Engine;
  /** Stops the relay (SIGSTOP): calls through it get no answer. */
  freeze(): void;
  /** Lets the relay run again (SIGCONT). */
  thaw(): void;
  close(): Promise<void>;
}

export async function freezableEngine(): Promise<FreezableEngine> {
  const socket = join(await tempDir('sandkit-relay-'), 'engine.sock');
  const relay: ChildProcess = spawn(
    process.execPath,
    [join(import.meta.dirname, 'engine-relay.mjs'), socket, '/var/run/docker.sock'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await once(relay.stdout as NodeJS.ReadableStream, 'data');
  const engine = await connectEngine({ host: `unix://${socket}` });
  return {
    engine,
    freeze: () => relay.kill('SIGSTOP'),
    thaw: () => relay.kill('SIGCONT'),
    close: async () => {
      relay.kill('SIGCONT');
      relay.kill('SIGKILL');
      await once(relay, 'exit').catch(() => {});
    },
  };
}
