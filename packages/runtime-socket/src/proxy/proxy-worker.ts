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
  /** Stops the proxy and removes what only its job used (its socket; its images, unless kept). */
  close(): Promise<void>;
}

/** What the owner asks the proxy worker: start a proxy (settings, and how to reach the engine), or close one. */
export type ProxyWorkerRequest =
  | { id: number; start: { connection: Engine['connection']; settings: EngineProxySettings } }
  | { id: number; close: string };

/** What the proxy worker answers a request. */
export type ProxyWorkerAnswer = { id: number } & ({ ready: true } | { failed: string } | { closed: true });

/**
 * The process's proxy worker: one `worker_threads` worker that serves every
 * proxy of this process, each on its own socket, with its own engine
 * connection (reconnected from the engine's serialisable `connection`). It
 * starts with the first proxy (loading the proxy's modules once, not per
 * sandbox), does not keep the process alive, and dies with it.
 */
class ProxyWorker {
  readonly #worker = new Worker(new URL('./proxy-worker-main.js', import.meta.url));
  readonly #waiting = new Map<
    number,
    { resolve: (answer: ProxyWorkerAnswer) => void; reject: (error: Error) => void }
  >();
  #nextId = 0;
  #gone: Error | undefined;

  constructor(onGone: () => void) {
    this.#worker.on('message', (answer: ProxyWorkerAnswer) => {
      this.#waiting.get(answer.id)?.resolve(answer);
      this.#waiting.delete(answer.id);
      if (this.#waiting.size === 0) this.#worker.unref();
    });
    const gone = (error: Error) => {
      this.#gone ??= error;
      onGone();
      for (const { reject } of this.#waiting.values()) reject(error);
      this.#waiting.clear();
    };
    // A worker that fails has taken its proxies with it: their jobs' engine calls fail, nothing else does.
    this.#worker.on('error', gone);
    this.#worker.on('exit', () => gone(new Error('the proxy worker exited')));
  }

  /**
   * Sends a request; resolves to the worker's answer. The worker keeps the
   * process alive only while a request waits (a start, a close and its
   * cleanup), never for the proxies it serves.
   */
  ask(request: Omit<ProxyWorkerRequest, 'id'>): Promise<ProxyWorkerAnswer> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = ++this.#nextId;
    this.#worker.ref();
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id });
    });
  }
}

let processWorker: ProxyWorker | undefined;

/** The process's proxy worker, started if there is none (or the last one is gone). */
function proxyWorker(): ProxyWorker {
  if (!processWorker) {
    const worker = new ProxyWorker(() => {
      if (processWorker === worker) processWorker = undefined;
    });
    processWorker = worker;
  }
  return processWorker;
}

/**
 * Starts a sandbox's guarding proxy in the process's proxy worker (see
 * {@link ProxyWorker}), off the owner's event loop: an owner that blocks it —
 * an `execSync('docker …')` against its own proxy, a long synchronous
 * computation — never stalls the jobs it serves.
 */
export async function startEngineProxy(options: EngineProxyOptions): Promise<EngineProxy> {
  const { engine, ...settings } = options;
  const worker = proxyWorker();
  const started = await worker.ask({ start: { connection: engine.connection, settings } });
  if ('failed' in started) throw new Error(`the guarding proxy could not start: ${started.failed}`);
  let closing: Promise<void> | undefined;
  return {
    socketPath: options.socketPath,
    close: () => {
      closing ??= worker.ask({ close: options.socketPath }).then(
        () => undefined,
        // A worker that is gone serves nothing: the proxy is closed already.
        () => undefined,
      );
      return closing;
    },
  };
}
