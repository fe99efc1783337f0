import { link, rename, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Engine } from '@sandkit/core';
import { unixSocketClient } from '@sandkit/core/runtime';
import { tempDir } from './temp-dir.js';

/**
 * A unix socket relayed byte for byte to the real engine, that a test can
 * take down and bring back — from a client's side, the engine goes away
 * (`connect ECONNREFUSED`) and returns — or freeze and thaw: the engine stops
 * answering (connections are accepted, nothing comes back), as a dockerd
 * stopped with SIGSTOP does. The engine itself keeps running throughout.
 */
export interface EngineRelay {
  /** An engine connection through the relay. */
  engine: Engine;
  /** Drops every connection and stops listening; the socket file stays, so connecting is refused. */
  down(): Promise<void>;
  /** Listens again (nothing when it already does). */
  up(): Promise<void>;
  /** Stops relaying: requests on open and new connections get no answer until {@link EngineRelay.thaw}. */
  freeze(): void;
  /** Relays again, what was held included. */
  thaw(): void;
  /** Stops the relay for good. */
  close(): Promise<void>;
}

export async function startEngineRelay(upstream: Engine): Promise<EngineRelay> {
  const upstreamPath = new URL(upstream.address).pathname;
  const path = join(await tempDir('sandkit-relay-'), 'engine.sock');
  const connections = new Set<Socket>();
  /** Client/engine pairs, so a freeze can stop and a thaw restart the bytes between them. */
  const pairs = new Set<[Socket, Socket]>();
  let frozen = false;
  const relay = ([client, engineSide]: [Socket, Socket]) => {
    client.pipe(engineSide);
    engineSide.pipe(client);
  };
  const hold = ([client, engineSide]: [Socket, Socket]) => {
    client.unpipe(engineSide);
    engineSide.unpipe(client);
    client.pause();
    engineSide.pause();
  };
  let server: Server | undefined;
  const up = async () => {
    if (server) return;
    await rm(path, { force: true });
    server = createServer((client) => {
      const engineSide = createConnection(upstreamPath);
      const pair: [Socket, Socket] = [client, engineSide];
      pairs.add(pair);
      for (const socket of pair) {
        connections.add(socket);
        socket.on('close', () => {
          connections.delete(socket);
          pairs.delete(pair);
        });
        socket.on('error', () => {
          client.destroy();
          engineSide.destroy();
        });
      }
      if (frozen) hold(pair);
      else relay(pair);
    });
    await new Promise<void>((resolve) => server?.listen(path, resolve));
  };
  const down = async () => {
    const closing = server;
    server = undefined;
    if (!closing) return;
    // Keep a second name for the socket file: net.Server unlinks its path on close, and a
    // socket file nothing listens on is what makes connecting fail with ECONNREFUSED.
    await link(path, `${path}.dead`);
    for (const socket of connections) socket.destroy();
    await new Promise<void>((resolve) => closing.close(() => resolve()));
    await rename(`${path}.dead`, path);
  };
  await up();
  return {
    engine: {
      docker: unixSocketClient(path),
      address: `unix://${path}`,
      connection: { host: `unix://${path}` },
      source: 'test relay',
      isLocal: true,
      publishedPortHost: upstream.publishedPortHost,
    },
    down,
    up,
    freeze: () => {
      frozen = true;
      for (const pair of pairs) hold(pair);
    },
    thaw: () => {
      frozen = false;
      for (const pair of pairs) relay(pair);
    },
    close: async () => {
      await down();
      await rm(path, { force: true });
    },
  };
}
