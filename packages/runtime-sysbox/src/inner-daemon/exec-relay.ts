import { mkdir, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { type Duplex, Writable } from 'node:stream';
import type { Engine } from '@sandkit/core';
import { demuxStream } from '@sandkit/core/runtime';

/** A local unix socket whose connections reach a daemon inside a sandbox. */
export interface ExecRelay {
  socketPath: string;
  close(): Promise<void>;
}

/**
 * Serves the sandbox's inner daemon API on a unix socket of this host without
 * any port: each connection runs `docker system dial-stdio` inside the sandbox
 * through the engine's exec API and pipes bytes both ways. Works on remote
 * engines and whenever the bind-mounted socket cannot be reached.
 */
export async function startExecRelay(
  engine: Engine,
  containerId: string,
  socketPath: string,
): Promise<ExecRelay> {
  await mkdir(dirname(socketPath), { recursive: true, mode: 0o700 });
  await rm(socketPath, { force: true });
  const connections = new Set<Socket>();
  const server: Server = createServer((client) => {
    connections.add(client);
    client.once('close', () => connections.delete(client));
    void relay(engine, containerId, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  server.unref();
  return {
    socketPath,
    close: async () => {
      for (const connection of connections) connection.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(socketPath, { force: true });
    },
  };
}

async function relay(engine: Engine, containerId: string, client: Socket): Promise<void> {
  let upstream: Duplex;
  try {
    const exec = await engine.docker.getContainer(containerId).exec({
      Cmd: ['docker', 'system', 'dial-stdio'],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
    });
    upstream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
  } catch {
    client.destroy();
    return;
  }
  const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  demuxStream(upstream, client, discard).finally(() => client.end());
  client.pipe(upstream);
  client.once('close', () => upstream.destroy());
  upstream.once('close', () => client.destroy());
}
