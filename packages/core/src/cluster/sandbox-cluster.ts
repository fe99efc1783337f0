import type { Engine } from '../engine/engine.js';
import { sweepByLabel } from '../engine/sweep-by-label.js';
import { CancelledError, InvalidArgumentError, SandkitError } from '../errors/index.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { combineSignals, raceSignal } from '../util/abort.js';
import type { ClusterNetwork } from './cluster-network.js';
import type { ClusterNode } from './cluster-node.js';
import type { ClusterDestroyOptions } from './cluster-spec.js';

/**
 * A running cluster: its nodes (normal sandboxes, each at a stable name and
 * address), its network, and what its preset left (`state`). Destroyed as one
 * with `await using` or `destroy()`; if its owner dies, the session's watchdog
 * sweeps it with everything else (every node and the network carry the cluster's label).
 */
export class SandboxCluster<State = unknown> implements AsyncDisposable {
  /** uuid v7; every node and the network carry it as `dev.sandkit.cluster`. */
  readonly id: string;
  readonly name: string;
  readonly network: ClusterNetwork;
  /** In creation order. */
  readonly nodes: readonly ClusterNode[];
  /** What the preset's bootstrap returned (join tokens, addresses, host limits), if there is a preset. */
  readonly state: State | undefined;
  readonly #engine: Engine;
  readonly #onDestroyed: () => void;
  #removal: Promise<void> | undefined;

  constructor(init: {
    id: string;
    name: string;
    network: ClusterNetwork;
    nodes: readonly ClusterNode[];
    state: State | undefined;
    engine: Engine;
    onDestroyed: () => void;
  }) {
    this.id = init.id;
    this.name = init.name;
    this.network = init.network;
    this.nodes = init.nodes;
    this.state = init.state;
    this.#engine = init.engine;
    this.#onDestroyed = init.onDestroyed;
  }

  /** The sandbox of the node of that name (e.g. `worker-1`). */
  node(name: string): Sandbox {
    const found = this.nodes.find((n) => n.name === name);
    if (!found) {
      throw new InvalidArgumentError('node', [
        {
          path: 'name',
          problem: `no node "${name}" in cluster ${this.name}`,
          allowed: this.nodes.map((n) => `"${n.name}"`).join(', '),
        },
      ]);
    }
    return found.sandbox;
  }

  /**
   * Removes every node (with its inner daemon, clone, host paths) and the
   * network, then sweeps by the cluster's label for anything left. Concurrent
   * calls share one removal; after a failed one, the next call tries again.
   */
  destroy(options: ClusterDestroyOptions = {}): Promise<void> {
    this.#removal ??= this.#remove();
    this.#removal.catch(() => {
      this.#removal = undefined;
    });
    const stop = combineSignals(options.signal, options.timeoutMs);
    return raceSignal(this.#removal, stop).catch((error: unknown) => {
      if (stop?.aborted && error === stop.reason)
        throw new CancelledError('destroy the cluster', stop.reason, { removal: 'pending' });
      throw error;
    });
  }

  async #remove(): Promise<void> {
    const outcomes = await Promise.allSettled(this.nodes.map((node) => node.sandbox.destroy()));
    // Also what no node handle knows of (an object whose creation raced a failure), and the network.
    await sweepByLabel(this.#engine, { cluster: this.id });
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed.length > 0) {
      throw new SandkitError(
        `Destroying cluster ${this.name} left ${failed.length} node(s) behind`,
        { cause: failed[0]?.reason },
        failed.map((f) => `  - ${(f.reason as Error).message}`).join('\n'),
      );
    }
    this.#onDestroyed();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.destroy();
  }
}
