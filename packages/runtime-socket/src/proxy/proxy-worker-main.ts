/**
 * Entry point of the process's proxy worker (see `startEngineProxy`): starts
 * and closes proxies as the owner asks, each with its engine connection
 * reconnected from the serialisable connection.
 */
import { parentPort } from 'node:worker_threads';
import type { Engine } from '@sandkit/core';
import { connectEngine } from '@sandkit/core/runtime';
import { type ServedProxy, serveEngineProxy } from './engine-proxy.js';
import type { ProxyWorkerAnswer, ProxyWorkerRequest } from './proxy-worker.js';

const port = parentPort;
if (!port) throw new Error('proxy-worker-main runs in a worker thread');
const owner = port;
/** Engine connections by address (and TLS settings): proxies to one engine share one. */
const engines = new Map<string, Promise<Engine>>();
/** The proxies served, by socket path. */
const proxies = new Map<string, Promise<ServedProxy>>();

function engineFor(connection: Engine['connection']): Promise<Engine> {
  const key = JSON.stringify(connection);
  let engine = engines.get(key);
  if (!engine) {
    engine = connectEngine({ host: connection.host, ...(connection.tls ? { tls: connection.tls } : {}) });
    engines.set(key, engine);
    engine.catch(() => engines.delete(key));
  }
  return engine;
}

async function answer(request: ProxyWorkerRequest): Promise<ProxyWorkerAnswer> {
  if ('start' in request) {
    const { connection, settings } = request.start;
    const proxy = engineFor(connection).then((engine) => serveEngineProxy(engine, settings));
    proxies.set(settings.socketPath, proxy);
    try {
      await proxy;
      return { id: request.id, ready: true };
    } catch (error) {
      proxies.delete(settings.socketPath);
      return { id: request.id, failed: (error as Error).message };
    }
  }
  const proxy = proxies.get(request.close);
  proxies.delete(request.close);
  await (await proxy?.catch(() => undefined))?.close().catch(() => undefined);
  return { id: request.id, closed: true };
}

owner.on('message', (request: ProxyWorkerRequest) => {
  answer(request).then((message) => owner.postMessage(message));
});
