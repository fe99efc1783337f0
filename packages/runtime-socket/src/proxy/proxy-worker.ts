import { Worker } from 'node:worker_threads';
import type { Engine } from '@sandkit/core';
import type { EngineProxySettings } from './engine-proxy.js';

/** Options of {@link startEngineProxy}. */
export interface EngineProxyOptions extends EngineProxySettings {
  /** The engine to forward to; must be reachable on a unix socket of this host. */
  engine: Engine;
}

/** A running proxy. */
export interface EngineProxy {
  readonly socketPath: string;
  /** Stops the proxy, removes what only the job used (see the worker's close), and ends its worker. */
  close(): Promise<void>;
}

/** What the worker is started with: the settings and how to reach the engine, both serialisable. */
export interface ProxyWorkerData {
  connection: Engine['connection'];
  settings: EngineProxySettings;
}

/** Messages from the worker. */
export type ProxyWorkerMessage = { ready: true } | { failed: string } | { closed: true };

/**
 * Starts a sandbox's guarding proxy in a worker thread of its own: the worker
 * listens on the proxy socket and holds its own engine connection (reconnected
 * from `engine.connection`), so an owner that blocks its event loop — an
 * `execSync('docker …')` against its own proxy, a long synchronous
 * computation — never stalls the jobs it serves. The worker is a thread of
 * this process: it dies with it, and does not keep it alive.
 */
export async function startEngineProxy(options: EngineProxyOptions): Promise<EngineProxy> {
  const { engine, ...settings } = options;
  const workerData: ProxyWorkerData = { connection: engine.connection, settings };
  const worker = new Worker(new URL('./proxy-worker-main.js', import.meta.url), { workerData });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const next = () =>
    new Promise<ProxyWorkerMessage>((resolve, reject) => {
      const onError = (error: Error) => {
        worker.off('message', resolve);
        reject(error);
      };
      worker.once('error', onError);
      worker.once('message', (message: ProxyWorkerMessage) => {
        worker.off('error', onError);
        resolve(message);
      });
    });
  const started = await next().catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  if ('failed' in started) {
    await worker.terminate();
    throw new Error(`the guarding proxy could not start: ${started.failed}`);
  }
  worker.unref();
  // A worker that fails later has taken the proxy with it: the job's engine calls fail, nothing else does.
  worker.on('error', () => {});
  let closing: Promise<void> | undefined;
  return {
    socketPath: options.socketPath,
    close: () => {
      closing ??= (async () => {
        const closed = next().catch(() => undefined);
        worker.postMessage('close');
        await Promise.race([closed, exited]);
        await worker.terminate();
      })();
      return closing;
    },
  };
}
