import type { SandboxSpec } from '../spec/sandbox-spec.js';
import type { ClusterPreset } from './cluster-preset.js';

/** One role of a cluster's nodes (e.g. `manager`, `worker`): how many, and what they differ in. */
export interface ClusterRole {
  /** How many nodes of this role (at least 1). They are named `<role>-1`, `<role>-2`, … */
  count: number;
  /**
   * What this role's nodes change in the cluster's `spec`: fields given here
   * replace the cluster's, except `env` and `labels`, which are merged into it.
   * @default the cluster's spec as it is
   */
  spec?: Partial<SandboxSpec>;
}

/**
 * A cluster of isolated sandboxes (`docker: 'isolated'`, each with its own inner
 * daemon) on a private network of its own. Validated before anything is created.
 */
export interface ClusterSpec<State = unknown> {
  /**
   * Display name, also in labels and `sandkit cluster ls` (letters, digits, `-`).
   * @default 'cluster'
   */
  name?: string;
  /**
   * The nodes: a number of identical nodes (named `node-1`, …), or roles in
   * creation order, e.g. `{ manager: { count: 1 }, worker: { count: 2 } }`.
   */
  nodes: number | Record<string, ClusterRole>;
  /**
   * What every node is made from. `docker` must be `'isolated'` (the default
   * here). Give a `seed`: all nodes of the same seed share one golden data
   * root, each with its own copy-on-write clone of it.
   */
  spec: SandboxSpec;
  /**
   * What turns the nodes into a cluster once they run (e.g. `swarm()`): one
   * node bootstraps it, the others join.
   * @default none: the nodes only share the network
   */
  preset?: ClusterPreset<State>;
  /**
   * The cluster network's IPv4 subnet, a /16 to /28 in CIDR notation. Nodes get
   * its addresses in order, from the second (`.2`; the first is the gateway).
   * @default a free /24 in 10.210.0.0/16
   */
  subnet?: string;
}

/** Options of `Sandkit.cluster()`. */
export interface ClusterCreateOptions {
  /** Cancels the creation, wherever it is; everything made so far is removed. */
  signal?: AbortSignal;
  /**
   * Limit on the whole creation: every node, and the preset's bootstrap and joins.
   * @default 600_000
   */
  timeoutMs?: number;
  /**
   * Priority of the nodes' creates in the `Sandkit` queue (higher runs earlier).
   * @default 0
   */
  priority?: number;
}

/** Options of `SandboxCluster.destroy()`. */
export interface ClusterDestroyOptions {
  /**
   * Stop waiting after this many milliseconds (`CancelledError`); the removal
   * goes on, and a later `destroy()` waits for it or tries again.
   * @default no limit
   */
  timeoutMs?: number;
  /** Stop waiting when aborted (as `timeoutMs` does). */
  signal?: AbortSignal;
}
