import type { SpecIssue } from '../../errors/index.js';
import type { PlannedNode } from '../plan-cluster.js';

/**
 * The problem, if any, of a preset that drives each node's inner Docker
 * daemon with nodes that have none (`docker: 'none'` Kubernetes nodes bring
 * their own container runtime instead). Pure.
 */
export function needsInnerDaemon(preset: string, nodes: readonly PlannedNode[]): SpecIssue[] {
  const without = nodes.filter((n) => n.spec.docker !== 'isolated').map((n) => n.name);
  return without.length === 0
    ? []
    : [
        {
          path: 'spec.docker',
          problem: `the ${preset} preset works through each node's inner Docker daemon, and ${without.join(', ')} would have none`,
          allowed: 'docker: "isolated" (the default for cluster nodes)',
        },
      ];
}
