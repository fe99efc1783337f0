import { EventEmitter } from 'node:events';
import { cpus } from 'node:os';
import PQueue from 'p-queue';
import { v7 as uuidv7 } from 'uuid';
import { startWatchdog, type Watchdog } from '../cleanup/watchdog.js';
import type { ClusterCreateOptions, ClusterSpec } from '../cluster/cluster-spec.js';
import { createCluster } from '../cluster/create-cluster.js';
import type { SandboxCluster } from '../cluster/sandbox-cluster.js';
import { keepSessionNetworks, releaseSessionNetworks } from '../container/session-network.js';
import type { Engine } from '../engine/engine.js';
import { sweepByLabel } from '../engine/sweep-by-label.js';
import { isConnectionError, toSandkitError } from '../engine/to-sandkit-error.js';
import {
  CancelledError,
  InvalidArgumentError,
  RuntimeUnavailableError,
  SandkitError,
} from '../errors/index.js';
import type { Session } from '../labels/sandkit-labels.js';
import { createSession } from '../labels/session.js';
import type { ClusterNodePlacement, ProbeResult, Runtime, SweepReport } from '../runtime/runtime.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { SandboxSpec } from '../spec/sandbox-spec.js';
import { assertValidSpec } from '../spec/validate-spec.js';
import { combineSignals, raceSignal } from '../util/abort.js';
import { assertValidCreateOptions, assertValidSession } from '../validation/validate-create-options.js';
import { ManagedSandbox } from './managed-sandbox.js';
import { type PoolOptions, SandboxPool } from './sandbox-pool.js';
import type { SandkitEventName, SandkitEvents } from './sandkit-events.js';
import { type RuntimeChoice, selectRuntime } from './select-runtime.js';

/** Options of {@link Sandkit}. */
export interface SandkitOptions {
  /** The runtimes to choose from, in order of preference. */
  runtimes: Runtime[];
  /**
   * How many sandboxes may be created at once, over all runtimes. The engine
   * degrades sharply under many parallel starts.
   * @default max(2, number of CPUs)
   */
  concurrency?: number;
  /**
   * Per-runtime limits on concurrent creates, on top of `concurrency`.
   * @default no per-runtime limit
   */
  runtimeConcurrency?: Record<string, number>;
  /**
   * How many commands may run at once in all sandboxes (exec is cheap; creation is not).
   * @default 32
   */
  execConcurrency?: number;
  /**
   * Start a detached watchdog that removes this session's objects if this process dies.
   * @default true
   */
  watchdog?: boolean;
  /**
   * On first use, remove expired objects and objects whose owning process on this host is gone.
   * @default true
   */
  sweepOrphansOnStart?: boolean;
  /**
   * Session all sandboxes are labelled with.
   * @default a new session
   */
  session?: Session;
}

/** Options of {@link Sandkit.create}. */
export interface SandkitCreateOptions {
  /** Cancels the job, queued (it then never touches the engine) or creating. */
  signal?: AbortSignal;
  /**
   * Limit on creation (queue time excluded).
   * @default 300_000
   */
  timeoutMs?: number;
  /**
   * Use this runtime, by name, instead of choosing.
   * @default chosen per job
   */
  runtime?: string;
  /**
   * Higher runs earlier when jobs queue.
   * @default 0
   */
  priority?: number;
}

const SANDKIT_CREATE_KEYS = [
  'signal',
  'timeoutMs',
  'runtime',
  'priority',
] as const satisfies readonly (keyof SandkitCreateOptions)[];

const CLUSTER_CREATE_KEYS = [
  'signal',
  'timeoutMs',
  'priority',
] as const satisfies readonly (keyof ClusterCreateOptions)[];

/** What a cluster adds to the create of one of its nodes. */
interface NodeCreate {
  clusterNode: ClusterNodePlacement;
  onPhase: (phase: string) => void;
}

/**
 * The entry point: picks a runtime per job, limits how much runs at once,
 * reports progress as events, and makes sure nothing outlives its owner.
 *
 * @example
 * await using sk = new Sandkit({ runtimes: [sysbox(), socket()] });
 * await using sb = await sk.create({ image: 'busybox', docker: 'none' });
 */
export class Sandkit implements AsyncDisposable {
  /** Every object this instance creates carries this session's id. */
  readonly session: Session;
  readonly #runtimes: Runtime[];
  readonly #options: SandkitOptions;
  readonly #events = new EventEmitter();
  readonly #createQueue: PQueue;
  readonly #runtimeQueues = new Map<string, PQueue>();
  readonly #execQueue: PQueue;
  readonly #live = new Set<ManagedSandbox>();
  readonly #pools = new Set<SandboxPool>();
  readonly #clusters = new Set<SandboxCluster<unknown>>();
  #probes: Promise<ProbeResult[]> | undefined;
  #started: Promise<void> | undefined;
  #watchdog: Watchdog | undefined;
  #closed = false;
  /** Aborts every job, queued or creating, when the instance closes. */
  readonly #closing = new AbortController();
  /** Jobs that have not settled yet; `close()` waits for them. */
  readonly #jobs = new Set<Promise<unknown>>();

  constructor(options: SandkitOptions) {
    if (!Array.isArray(options?.runtimes) || options.runtimes.length === 0) {
      throw new SandkitError('Sandkit needs at least one runtime');
    }
    assertValidSession(options.session, 'new Sandkit()');
    const names = options.runtimes.map((r) => r.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate) throw new SandkitError(`Runtime "${duplicate}" is configured twice`);
    this.#options = options;
    this.#runtimes = [...options.runtimes];
    this.session = options.session ?? createSession();
    this.#createQueue = new PQueue({ concurrency: options.concurrency ?? Math.max(2, cpus().length) });
    this.#execQueue = new PQueue({ concurrency: options.execConcurrency ?? 32 });
    for (const [name, limit] of Object.entries(options.runtimeConcurrency ?? {})) {
      this.#runtimeQueues.set(name, new PQueue({ concurrency: limit }));
    }
  }

  /** Subscribes to progress events. Returns a function that unsubscribes. */
  on<E extends SandkitEventName>(event: E, listener: (payload: SandkitEvents[E]) => void): () => void {
    this.#events.on(event, listener);
    return () => this.#events.off(event, listener);
  }

  #emit<E extends SandkitEventName>(event: E, payload: SandkitEvents[E]): void {
    this.#events.emit(event, payload);
  }

  /** What each configured runtime found on the engine (probed once, then cached). */
  probe(options: { refresh?: boolean } = {}): Promise<ProbeResult[]> {
    if (options.refresh) this.#probes = undefined;
    this.#probes ??= Promise.all(this.#runtimes.map((r) => r.probe()));
    this.#probes.catch(() => {
      this.#probes = undefined;
    });
    return this.#probes;
  }

  /** Which runtime a spec would get, and why each other runtime would not. Creates nothing. */
  async explain(
    spec: SandboxSpec,
    options: Pick<SandkitCreateOptions, 'runtime' | 'signal' | 'timeoutMs'> = {},
  ): Promise<RuntimeChoice> {
    const signal = combineSignals(options.signal, options.timeoutMs);
    const probes = await raceSignal(this.probe(), signal).catch((error: unknown) => {
      if (signal?.aborted) throw new CancelledError('explain', signal.reason);
      throw error;
    });
    return selectRuntime(
      spec,
      this.#runtimes.map((runtime, i) => ({ runtime, probe: probes[i] as ProbeResult })),
      options.runtime,
    );
  }

  /**
   * Creates a sandbox on the runtime chosen for the spec, once the queue lets it.
   * `close()` cancels it (with `CancelledError`) wherever it is.
   */
  create(spec: SandboxSpec, options: SandkitCreateOptions = {}): Promise<Sandbox> {
    if (this.#closed) return Promise.reject(new SandkitError('This Sandkit is closed'));
    return this.#track(this.#create(spec, options));
  }

  /** Notes a job until it settles, so that `close()` waits for it. */
  #track<T>(job: Promise<T>): Promise<T> {
    this.#jobs.add(job);
    const forget = () => this.#jobs.delete(job);
    job.then(forget, forget);
    return job;
  }

  /**
   * Creates a cluster: `nodes` isolated sandboxes on a private network of their
   * own, each at a stable hostname and address, created in parallel through
   * this instance's queue, all seeded from one golden when they share a seed,
   * then made one cluster by the spec's `preset` (e.g. `swarm()`). The whole
   * spec is checked first (`InvalidSpecError`, nothing created); a failure of
   * any node (`ClusterFailedError`), an abort or a timeout (`CancelledError`)
   * leaves nothing behind. Destroyed as one (`await using`, `destroy()`,
   * `close()`); if this process dies, the watchdog sweeps it whole.
   *
   * @example
   * await using cluster = await sk.cluster({
   *   nodes: { manager: { count: 1 }, worker: { count: 2 } },
   *   spec: { image: 'docker:dind', seed: { images: ['nginx:1'] } },
   *   preset: swarm(),
   * });
   * await cluster.node('worker-1').exec(['docker', 'info']);
   */
  cluster<State>(
    spec: ClusterSpec<State>,
    options: ClusterCreateOptions = {},
  ): Promise<SandboxCluster<State>> {
    if (this.#closed) return Promise.reject(new SandkitError('This Sandkit is closed'));
    return this.#track(
      (async () => {
        assertValidCreateOptions(options, {}, CLUSTER_CREATE_KEYS);
        const signal = AbortSignal.any([this.#closing.signal, ...(options.signal ? [options.signal] : [])]);
        await raceSignal(this.#start(), signal);
        const startedAt = Date.now();
        const cluster = await createCluster(
          {
            session: this.session,
            runtimeFor: async (nodeSpec) => {
              const choice = await this.explain(nodeSpec);
              if (!choice.chosen) {
                throw new RuntimeUnavailableError(
                  '(any)',
                  choice.rejected.map((r) => `${r.runtime}: ${r.reasons.join('; ')}`),
                  { image: nodeSpec.image },
                );
              }
              return this.#runtimes.find((r) => r.name === choice.chosen) as Runtime;
            },
            createNode: (nodeSpec, { clusterNode, onPhase, ...createOptions }) =>
              this.#create(nodeSpec, createOptions, { clusterNode, onPhase }),
            onNode: (progress) => this.#emit('node', progress),
            onDestroyed: (destroyed) => {
              this.#clusters.delete(destroyed);
              this.#emit('cluster', { clusterId: destroyed.id, name: destroyed.name, state: 'destroyed' });
            },
          },
          spec,
          { ...options, signal },
        ).catch((error: unknown) => {
          this.#emit('cluster', {
            clusterId: (error as { clusterId?: string }).clusterId,
            name: spec.name ?? 'cluster',
            state: 'failed',
            durationMs: Date.now() - startedAt,
          });
          throw error;
        });
        this.#clusters.add(cluster as SandboxCluster<unknown>);
        this.#emit('cluster', {
          clusterId: cluster.id,
          name: cluster.name,
          state: 'ready',
          durationMs: Date.now() - startedAt,
        });
        return cluster;
      })(),
    );
  }

  async #create(spec: SandboxSpec, options: SandkitCreateOptions, node?: NodeCreate): Promise<Sandbox> {
    assertValidSpec(spec);
    assertValidCreateOptions(
      options,
      typeof spec.image === 'string' ? { image: spec.image } : {},
      SANDKIT_CREATE_KEYS,
    );
    // One signal per job (never the shared closing signal itself, which would collect a listener per job).
    const signal = AbortSignal.any([this.#closing.signal, ...(options.signal ? [options.signal] : [])]);
    const jobId = uuidv7();
    const queuedAt = Date.now();
    const priority = options.priority ?? 0;
    let runtimeName: string | undefined;
    const fail = (error: unknown): never => {
      const failure = CancelledError.is(error)
        ? error
        : signal.aborted
          ? new CancelledError('create', signal.reason, { image: spec.image })
          : SandkitError.is(error)
            ? error
            : new SandkitError(
                'Creating the sandbox failed',
                { image: spec.image, cause: error },
                String(error),
              );
      this.#emit('failed', {
        jobId,
        runtime: runtimeName,
        error: failure,
        durationMs: Date.now() - queuedAt,
      });
      throw failure;
    };
    try {
      signal.throwIfAborted();
      await this.#start();
      const choice = await this.explain(spec, options.runtime ? { runtime: options.runtime } : {});
      if (!choice.chosen) {
        await this.#assertEngineAnswers(signal, spec.image);
        throw new RuntimeUnavailableError(
          options.runtime ?? '(any)',
          choice.rejected.map((r) => `${r.runtime}: ${r.reasons.join('; ')}`),
          { image: spec.image },
        );
      }
      const chosen = choice.chosen;
      runtimeName = chosen;
      const runtime = this.#runtimes.find((r) => r.name === chosen) as Runtime;
      this.#emit('queued', { jobId, image: spec.image, priority });
      const inner = await this.#schedule(chosen, priority, signal, async () => {
        const startedAt = Date.now();
        this.#emit('creating', { jobId, runtime: chosen, image: spec.image, waitedMs: startedAt - queuedAt });
        const sandbox = await runtime.create(spec, {
          session: this.session,
          ...(node ? { clusterNode: node.clusterNode } : {}),
          onPhase: (phase) => {
            node?.onPhase(phase);
            const progress = { jobId, runtime: chosen, phase, sinceQueuedMs: Date.now() - queuedAt };
            this.#emit('phase', progress);
            if (phase.startsWith('seeding')) this.#emit('seeding', progress);
          },
          signal,
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        });
        return { sandbox, createMs: Date.now() - startedAt };
      });
      if (signal.aborted) {
        // Finished creating just as the job was cancelled (or the instance closed): nobody would destroy it.
        await inner.sandbox.destroy().catch(() => {});
        throw new CancelledError('create', signal.reason, { image: spec.image, sandboxId: inner.sandbox.id });
      }
      const readyAt = Date.now();
      const managed: ManagedSandbox = new ManagedSandbox(inner.sandbox, this.#execQueue, async (destroy) => {
        const destroyStart = Date.now();
        // A failed destroy keeps the sandbox live, so a later destroy() or close() tries again.
        await destroy();
        this.#live.delete(managed);
        this.#emit('destroyed', {
          sandboxId: managed.id,
          runtime: chosen,
          lifetimeMs: destroyStart - readyAt,
          destroyMs: Date.now() - destroyStart,
        });
      });
      this.#live.add(managed);
      this.#emit('ready', {
        jobId,
        sandboxId: managed.id,
        runtime: chosen,
        durationMs: readyAt - queuedAt,
        createMs: inner.createMs,
      });
      return managed;
    } catch (error) {
      // A runtime's probe or create that lost the engine may throw the socket's own error.
      return fail(
        isConnectionError(error)
          ? toSandkitError(error, 'create a sandbox', await this.#primaryEngine(), { image: spec.image })
          : error,
      );
    }
  }

  /**
   * A warm pool of sandboxes of one spec: `min` of them kept created and ready,
   * each handed out once by `acquire()` (in milliseconds when one is idle) and
   * destroyed when released, never reused. Refills go through this instance's
   * queue below ordinary creates. Closed with this instance, or on its own.
   */
  pool(spec: SandboxSpec, options: PoolOptions = {}): SandboxPool {
    if (this.#closed) throw new SandkitError('This Sandkit is closed');
    assertValidSpec(spec);
    const { runtime } = options;
    if (runtime !== undefined && !this.#runtimes.some((r) => r.name === runtime))
      throw new InvalidArgumentError('pool', [
        {
          path: 'options.runtime',
          problem: `${JSON.stringify(runtime)} is not one of this Sandkit's runtimes`,
          allowed: this.#runtimes.map((r) => JSON.stringify(r.name)).join(', '),
        },
      ]);
    const poolId = uuidv7();
    const pool = new SandboxPool(
      {
        create: (poolSpec, createOptions) =>
          this.create(poolSpec, { ...createOptions, ...(runtime ? { runtime } : {}) }),
        report: (state) => this.#emit('pool', { poolId, image: spec.image, ...state }),
        onDestroyed: (listener) => this.on('destroyed', ({ sandboxId }) => listener(sandboxId)),
      },
      spec,
      options,
    );
    this.#pools.add(pool);
    return pool;
  }

  /** Runs a create task under the global and the runtime's limit; an abort while queued never starts it. */
  #schedule<T>(
    runtime: string,
    priority: number,
    signal: AbortSignal | undefined,
    task: () => Promise<T>,
  ): Promise<T> {
    // The signal is not handed to p-queue: it would reject a *running* task's promise
    // and lose a sandbox that finished creating. A queued task that was aborted throws
    // as soon as it is dequeued, before touching the engine; its caller is told at once.
    let started = false;
    const guarded = async () => {
      signal?.throwIfAborted();
      started = true;
      return task();
    };
    const global = () => this.#createQueue.add(guarded, { priority }) as Promise<T>;
    const perRuntime = this.#runtimeQueues.get(runtime);
    const queued = perRuntime ? (perRuntime.add(global, { priority }) as Promise<T>) : global();
    if (!signal) return queued;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (!started) reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queued.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /**
   * When no runtime is available, tells an engine that does not answer (whose
   * runtimes only say so in their probe reasons) apart: `EngineUnreachableError`,
   * and the probes are dropped so the next create looks again.
   */
  async #assertEngineAnswers(signal: AbortSignal, image: string): Promise<void> {
    const engine = await this.#primaryEngine();
    try {
      await raceSignal(engine.docker.ping(), signal);
    } catch (error) {
      if (signal.aborted) throw error;
      this.#probes = undefined;
      throw toSandkitError(error, 'reach the engine', engine, { image });
    }
  }

  /**
   * The engines of this instance's runtimes, one per address: what its sweeps
   * and its watchdog cover. Runtimes whose engine cannot be reached are left
   * out; when none can, the first failure is thrown.
   */
  async #engines(): Promise<Engine[]> {
    const outcomes = await Promise.allSettled(this.#runtimes.map((runtime) => runtime.engine()));
    const engines = new Map<string, Engine>();
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled' && !engines.has(outcome.value.address)) {
        engines.set(outcome.value.address, outcome.value);
      }
    }
    if (engines.size === 0) throw (outcomes[0] as PromiseRejectedResult).reason;
    return [...engines.values()];
  }

  async #primaryEngine(): Promise<Engine> {
    return (await this.#engines())[0] as Engine;
  }

  /** Once: the watchdog, and the sweep of what dead owners and expiries left behind. */
  #start(): Promise<void> {
    this.#started ??= (async () => {
      const engines = await this.#engines();
      // One session network for this instance's whole life, not one per sandbox: see keepSessionNetworks.
      keepSessionNetworks(this.session);
      // Best effort: leftovers another sweep is still removing must not fail this session's first create.
      if (this.#options.sweepOrphansOnStart !== false) await this.gc().catch(() => undefined);
      if (this.#options.watchdog !== false) {
        this.#watchdog = startWatchdog(
          this.session,
          engines.map((engine) => engine.connection),
        );
      }
    })();
    this.#started.catch(() => {
      this.#started = undefined;
    });
    return this.#started;
  }

  /** Removes expired objects, and objects whose owning process on this host is gone, on every runtime's engine. */
  async gc(): Promise<SweepReport> {
    const now = Date.now();
    const reports = await Promise.all(
      (await this.#engines()).flatMap((engine) => [
        sweepByLabel(engine, { expiredAt: now }),
        sweepByLabel(engine, { orphaned: true }),
      ]),
    );
    return {
      containers: reports.flatMap((r) => r.containers),
      networks: reports.flatMap((r) => r.networks),
      volumes: reports.flatMap((r) => r.volumes),
      images: reports.flatMap((r) => r.images),
      paths: reports.flatMap((r) => r.paths),
    };
  }

  /** The clusters this instance created that are not destroyed yet. */
  get clusters(): readonly SandboxCluster<unknown>[] {
    return [...this.#clusters];
  }

  /** The sandboxes this instance created that are not destroyed yet. */
  get sandboxes(): readonly Sandbox[] {
    return [...this.#live];
  }

  /**
   * Cancels every job still queued or creating (they reject with `CancelledError`
   * and leave nothing behind), waits for them to settle, destroys every live
   * sandbox, removes what is left of the session, and stops the watchdog.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort(new SandkitError('The Sandkit was closed'));
    await Promise.allSettled([...this.#pools].map((pool) => pool.close()));
    await Promise.allSettled([...this.#jobs]);
    await Promise.allSettled([...this.#clusters].map((cluster) => cluster.destroy()));
    await Promise.allSettled([...this.#live].map((s) => s.destroy()));
    await releaseSessionNetworks(this.session);
    if (this.#started) {
      const engines = await this.#engines().catch(() => [] as Engine[]);
      await Promise.allSettled(engines.map((engine) => sweepByLabel(engine, { session: this.session.id })));
    }
    this.#watchdog?.stop();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
