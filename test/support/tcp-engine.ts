import { once } from 'node:events';
import { type AddressInfo, createConnection, createServer } from 'node:net';
import type { Engine } from '@sandkit/core';
import { connectEngine } from '@sandkit/core/runtime';

/**
 * The test engine reached over TCP on loopback (a relay to its unix socket), so
 * sandkit treats it as remote: its processes' host PIDs are not this host's to
 * signal, and host paths are not shared.
 */
export async function tcpEngine(): Promise<{ engine: Engine; close(): Promise<void> }> {
  const server = createServer((client) => {
    const upstream = createConnection('/var/run/docker.sock');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const engine = await connectEngine({ host: `tcp://127.0.0.1:${port}` });
  return {
    engine,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
