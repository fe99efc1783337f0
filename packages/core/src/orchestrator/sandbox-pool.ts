import { CancelledError, SandkitError } from '../errors/index.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { SandboxSpec } from '../spec/sandbox-spec.js';
import { combineSignals } from '../util/abort.js';

/** Options of `Sandkit.pool()`. */
export interface PoolOptions {
  /**
   * How many ready sandboxes the pool keeps waiting to be acquired.
   * @default 1
   */
  min?: number;
  /**
   * Most sandboxes the pool holds at once, ready or being made (those handed out do not count).
   * @default min
   */
  max?: number;
  /**
   * A ready sandbox older than this is replaced, so none that is handed out has drifted.
   * @default 600_000 (10 minutes)
   */
  maxIdleMs?: number;
  /**
   * Queue priority of the pool's refills: below the default 0, so a waiting `create()` goes first.
   * @default -1
   */
  refillPriority?: number;
  /**
   * Make the pool's sandboxes with this runtime, by name, instead of choosing per spec.
   * @default chosen as `create()` chooses
   */
  runtime?: string;
}

/** Options of {@link SandboxPool.acquire}. */
export interface AcquireOptions {
  /** Cancels the acquire (only matters when the pool is empty and a sandbox must be made). */
  signal?: AbortSignal;
  /**
   * Limit on making a sandbox when the pool is empty.
   * @default the create timeout (300_000)
   */
  timeoutMs?: number;
}

/** How many sandboxes a pool has in each state. */
export interface PoolState {
  /** Ready, waiting to be acquired. */
  idle: number;
  /** Being made. */
  warming: number;
  /** Handed out and not destroyed yet. */
  inUse: number;
}

/** What a pool needs from its `Sandkit`. */
export interface PoolHost {
  create(
    spec: SandboxSpec,
    options: { signal?: AbortSignal; timeoutMs?: number; priority?: number },
  ): Promise<Sandbox>;
  /** Called whenever the pool's state changes. */
  report(state: PoolState): void;
  /** Subscribes to sandboxes being destroyed (by id); returns the unsubscribe function. */
  onDestroyed(listener: (sandboxId: string) => void): () => void;
}

interface Member {
  sandbox: Sandbox;
  readyAt: number;
}

/**
 * Keeps sandboxes of one spec created and ready, and hands each out once: a
 * released sandbox is destroyed, never reused, so every job gets a fresh one.
 * When the pool is empty, `acquire()` creates through the normal queue.
 * Members are ordinary sandboxes of the pool's session, swept like any other
 * if the owner dies.
 */
export class SandboxPool implements AsyncDisposable {
  readonly spec: SandboxSpec;
  readonly #host: PoolHost;
  readonly #min: number;
  readonly #max: number;
  readonly #maxIdleMs: number;
  readonly #refillPriority: number;
  readonly #idle: Member[] = [];
  /** Ids of the sandboxes handed out and not destroyed yet. */
  readonly #inUse = new Set<string>();
  readonly #unsubscribe: () => void;
  readonly #closing = new AbortController();
  readonly #refills = new Set<Promise<void>>();
  readonly #ageCheck: NodeJS.Timeout;
  #closed: Promise<void> | undefined;

  constructor(host: PoolHost, spec: SandboxSpec, options: PoolOptions = {}) {
    const min = options.min ?? 1;
    const max = options.max ?? min;
    if (!Number.isInteger(min) || min < 0)
      throw new SandkitError(`Pool option min must be an integer ≥ 0, not ${min}`);
    if (!Number.isInteger(max) || max < Math.max(1, min))
      throw new SandkitError(
        `Pool option max must be an integer ≥ max(1, min) (${Math.max(1, min)}), not ${max}`,
      );
    this.spec = spec;
    this.#host = host;
    this.#min = min;
    this.#max = max;
    this.#maxIdleMs = options.maxIdleMs ?? 600_000;
    this.#refillPriority = options.refillPriority ?? -1;
    this.#ageCheck = setInterval(
      () => this.#replaceStale(),
      Math.max(1_000, Math.floor(this.#maxIdleMs / 4)),
    );
    this.#ageCheck.unref();
    // Released means destroyed: the pool forgets it then (a sandbox is never handed out twice).
    this.#unsubscribe = host.onDestroyed((sandboxId) => {
      if (this.#inUse.delete(sandboxId)) this.#report();
    });
    this.#refill();
  }

  /** How many sandboxes are idle, warming and in use. */
  get state(): PoolState {
    return { idle: this.#idle.length, warming: this.#refills.size, inUse: this.#inUse.size };
  }

  /**
   * A ready sandbox: an idle member at once (one whose container is still
   * running and that has not passed `maxIdleMs`), else a new one through the
   * queue. Either way a replacement starts in the background.
   */
  async acquire(options: AcquireOptions = {}): Promise<Sandbox> {
    if (this.#closed) throw new SandkitError('This pool is closed');
    let member = this.#idle.shift();
    while (member) {
      if (Date.now() - member.readyAt <= this.#maxIdleMs && (await member.sandbox.status()).running) break;
      // Died or drifted while idle: never handed out.
      void member.sandbox.destroy().catch(() => {});
      member = this.#idle.shift();
    }
    this.#refill();
    const sandbox = member?.sandbox ?? (await this.#createOnDemand(options));
    this.#handOut(sandbox);
    return sandbox;
  }

  async #createOnDemand(options: AcquireOptions): Promise<Sandbox> {
    const signal = AbortSignal.any([this.#closing.signal, ...(options.signal ? [options.signal] : [])]);
    return this.#host.create(this.spec, {
      signal: combineSignals(signal, options.timeoutMs) as AbortSignal,
    });
  }

  #handOut(sandbox: Sandbox): void {
    this.#inUse.add(sandbox.id);
    this.#report();
  }

  /** Starts as many creates as keep `min` members idle or warming, within `max`. */
  #refill(): void {
    if (this.#closed) return;
    while (
      this.#idle.length + this.#refills.size < this.#min &&
      this.#idle.length + this.#refills.size < this.#max
    ) {
      const refill: Promise<void> = this.#host
        .create(this.spec, { signal: this.#closing.signal, priority: this.#refillPriority })
        .then(
          (sandbox) => {
            if (this.#closed) return sandbox.destroy();
            this.#idle.push({ sandbox, readyAt: Date.now() });
          },
          () => {
            // A failed refill is retried by the next acquire (the failure is the Sandkit's "failed" event).
          },
        )
        .finally(() => {
          this.#refills.delete(refill);
          this.#report();
        });
      this.#refills.add(refill);
    }
    this.#report();
  }

  #replaceStale(): void {
    const now = Date.now();
    for (const member of [...this.#idle]) {
      if (now - member.readyAt <= this.#maxIdleMs) continue;
      this.#idle.splice(this.#idle.indexOf(member), 1);
      void member.sandbox.destroy().catch(() => {});
    }
    this.#refill();
  }

  #report(): void {
    this.#host.report(this.state);
  }

  /**
   * Stops refilling, cancels members being made, and destroys the idle ones.
   * Sandboxes already handed out stay their holders' (the Sandkit destroys them at its own close).
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      clearInterval(this.#ageCheck);
      this.#unsubscribe();
      this.#closing.abort(new CancelledError('pool refill', new Error('the pool was closed')));
      await Promise.allSettled([...this.#refills]);
      const idle = this.#idle.splice(0);
      await Promise.allSettled(idle.map((member) => member.sandbox.destroy()));
      this.#report();
    })();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
