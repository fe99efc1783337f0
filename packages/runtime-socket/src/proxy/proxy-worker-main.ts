/**
 * Entry point of a proxy worker (see `startEngineProxy`): connects to
 * the engine from the serialisable connection, serves the proxy, and closes
 * it when the owner says so.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connectEngine } from '@sandkit/core';
import { serveEngineProxy } from './engine-proxy.js';
import type { ProxyWorkerData, ProxyWorkerMessage } from './proxy-worker.js';

const port = parentPort;
if (!port) throw new Error('proxy-worker-main runs in a worker thread');
const { connection, settings } = workerData as ProxyWorkerData;
const send = (message: ProxyWorkerMessage) => port.postMessage(message);

try {
  const engine = await connectEngine({
    host: connection.host,
    ...(connection.tls ? { tls: connection.tls } : {}),
  });
  const proxy = await serveEngineProxy(engine, settings);
  port.once('message', () => {
    proxy.close().then(
      () => send({ closed: true }),
      () => send({ closed: true }),
    );
  });
  send({ ready: true });
} catch (error) {
  send({ failed: (error as Error).message });
}
