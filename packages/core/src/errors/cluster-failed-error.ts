import { SandkitError, type SandkitErrorContext } from './sandkit-error.js';

/** The step of a cluster's creation that failed. */
export type ClusterStep = 'create' | 'bootstrap' | 'join' | 'settle';

/**
 * Creating a cluster failed because one node did: its sandbox could not be
 * created, or the preset's bootstrap, join or settle step failed on it. Every
 * node and the cluster's network were removed before this was thrown; `cause`
 * is the node's own error (e.g. a `StartFailedError` with its log tail).
 */
export class ClusterFailedError extends SandkitError {
  static override readonly code: string = 'SANDKIT_CLUSTER_FAILED';
  readonly clusterId: string;
  /** The node that failed, e.g. `worker-2`. */
  readonly node: string;
  readonly step: ClusterStep;

  constructor(
    context: SandkitErrorContext & { clusterId: string; node: string; step: ClusterStep },
    details?: string,
  ) {
    const { clusterId, node, step, ...rest } = context;
    const what = step === 'create' ? 'could not be created' : `failed in the preset's ${step} step`;
    const causeMessage = (rest.cause as Error | undefined)?.message;
    super(
      `Cluster ${clusterId}: node ${node} ${what}; every node and the cluster network were removed`,
      rest,
      details ?? causeMessage,
    );
    this.clusterId = clusterId;
    this.node = node;
    this.step = step;
  }
}
