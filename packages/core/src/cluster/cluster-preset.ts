import type { SpecIssue } from '../errors/index.js';
import type { ClusterNode } from './cluster-node.js';
import type { PlannedNode } from './plan-cluster.js';

/** What a preset's steps get besides their node. */
export interface PresetStepContext {
  /** Aborts when the cluster's creation is cancelled, times out or another node failed. */
  signal: AbortSignal;
  /** Reports a phase of this node's part (shown as the node's progress). */
  report: (phase: string) => void;
  /** Every node of the cluster as planned, with its address, in creation order (some may still be being created). */
  plan: ReadonlyArray<PlannedNode & { address: string }>;
}

/**
 * What turns running nodes into a cluster: one node bootstraps it, every other
 * node joins it. Each step runs as soon as its node (and, for a join, the
 * bootstrap) is ready, while the other nodes are still being created. Swarm is
 * one (`swarm()`); a Kubernetes preset would run `kubeadm init` in `bootstrap`
 * and `kubeadm join` in `join`.
 *
 * `State` is what the bootstrap hands to the joins and leaves on the cluster
 * (`cluster.state`): join tokens, addresses, what the host can and cannot do.
 */
export interface ClusterPreset<State = unknown> {
  /** Shown in progress, errors and labels-based listings. */
  readonly name: string;
  /**
   * Problems with the planned nodes (e.g. no node of the role that must
   * bootstrap), found before anything is created. Paths start at the cluster spec.
   */
  validate(nodes: readonly PlannedNode[]): SpecIssue[];
  /** Which planned node bootstraps the cluster (by name). Called only on a plan `validate` accepted. */
  bootstrapNode(nodes: readonly PlannedNode[]): string;
  /** Makes the node the cluster's first member. */
  bootstrap(node: ClusterNode, context: PresetStepContext): Promise<State>;
  /** Makes the node a member of the cluster the bootstrap made. */
  join(node: ClusterNode, state: State, context: PresetStepContext): Promise<void>;
  /** After every node joined: waits until the cluster itself reports them all (e.g. swarm nodes Ready). */
  settle(
    bootstrapNode: ClusterNode,
    nodes: readonly ClusterNode[],
    state: State,
    context: PresetStepContext,
  ): Promise<void>;
}
