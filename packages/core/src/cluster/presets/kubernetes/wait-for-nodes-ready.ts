import { delay } from '../../../util/abort.js';
import type { ClusterNode } from '../../cluster-node.js';
import type { PresetStepContext } from '../../cluster-preset.js';

/** How a wait for Ready nodes ended without them all: who was not Ready, and what kubectl said last. */
export interface NodesNotReady {
  waiting: ClusterNode[];
  lastListing: string;
}

/**
 * Polls `kubectl get nodes` on the control-plane node until every node is
 * Ready, reporting how many are still waiting whenever that changes. Resolves
 * `undefined` when they all are, or what was still missing at the deadline.
 */
export async function waitForNodesReady(args: {
  controlPlane: ClusterNode;
  /** The kubeconfig on the control-plane node that kubectl uses. */
  kubeconfig: string;
  nodes: readonly ClusterNode[];
  timeoutMs: number;
  context: PresetStepContext;
}): Promise<NodesNotReady | undefined> {
  const { controlPlane, nodes, context } = args;
  const deadline = Date.now() + args.timeoutMs;
  let reported = '';
  for (;;) {
    const result = await controlPlane.sandbox.exec(
      ['kubectl', `--kubeconfig=${args.kubeconfig}`, 'get', 'nodes', '--no-headers'],
      { reject: false, signal: context.signal },
    );
    const ready = new Set(
      result.stdout
        .split('\n')
        .map((line) => line.split(/\s+/))
        .filter(([, status]) => status === 'Ready')
        .map(([name]) => name),
    );
    const waiting = nodes.filter((n) => !ready.has(n.name));
    if (waiting.length === 0) return undefined;
    if (Date.now() > deadline) return { waiting, lastListing: result.stdout.trim() || result.stderr.trim() };
    const phase = `waiting for ${waiting.length} node(s) to be Ready`;
    if (phase !== reported) context.report(phase);
    reported = phase;
    await delay(500, context.signal);
  }
}
