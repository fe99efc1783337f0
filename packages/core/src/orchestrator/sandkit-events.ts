import type { NodeProgress } from '../cluster/create-cluster.js';
import type { SandkitError } from '../errors/index.js';

/** Everything a caller can follow about jobs, with durations in milliseconds. */
export interface SandkitEvents {
  /** A create call entered the queue. */
  queued: { jobId: string; image: string; priority: number };
  /** A runtime was chosen and creation started (after `waitedMs` in the queue). */
  creating: { jobId: string; runtime: string; image: string; waitedMs: number };
  /** A phase of the creation began (pulling, starting the engine inside, waiting for readiness, …). */
  phase: { jobId: string; runtime: string; phase: string; sinceQueuedMs: number };
  /** A seeding phase began (golden build, clone, load): the heavy part of a seeded create. */
  seeding: { jobId: string; runtime: string; phase: string; sinceQueuedMs: number };
  /** The sandbox is ready; `durationMs` counts from `queued`. */
  ready: { jobId: string; sandboxId: string; runtime: string; durationMs: number; createMs: number };
  /** Creation failed or was cancelled (queued jobs cancelled never touched the engine). */
  failed: { jobId: string; runtime: string | undefined; error: SandkitError; durationMs: number };
  /** A sandbox was destroyed; `lifetimeMs` counts from `ready`. */
  destroyed: { sandboxId: string; runtime: string; lifetimeMs: number; destroyMs: number };
  /** A pool's members changed: how many are idle (ready), warming (being made) and in use. */
  pool: { poolId: string; image: string; idle: number; warming: number; inUse: number };
  /** A phase of one cluster node began: queued, the runtime's phases, ready, the preset's phases, joined. */
  node: NodeProgress;
  /**
   * A cluster is ready (every node created and joined; `durationMs` from the call), failed (and was
   * removed; no `clusterId` when its spec was refused before it had one), or was destroyed.
   */
  cluster: {
    clusterId: string | undefined;
    name: string;
    state: 'ready' | 'failed' | 'destroyed';
    durationMs?: number;
  };
}

export type SandkitEventName = keyof SandkitEvents;
