import type { SpecIssue } from '../../../errors/index.js';
import type { PresetStepContext } from '../../cluster-preset.js';
import type { PlannedNode } from '../../plan-cluster.js';
import type { NodeAddress } from './node-script.js';

/** The role a Kubernetes preset takes the control-plane node from, when the cluster has it. */
const DEFAULT_CONTROL_PLANE_ROLE = 'control-plane';

/** What a Kubernetes preset plans its cluster by. */
export interface KubernetesPlanOptions {
  /** The role of the (single) control-plane node; else `control-plane`, else the first node. */
  controlPlaneRole?: string | undefined;
  /** The Pods' address range, an a.b.0.0/16. */
  podCidr: string;
}

/**
 * What both Kubernetes presets refuse before anything is created: nodes
 * without the `kubernetes-node` profile, a Pod range that is not a /16, more
 * nodes than its /24s, and a control-plane role with other than one node.
 * (Whether a node may lack an inner Docker daemon is each preset's own rule.) Pure.
 */
export function kubernetesPlanIssues(
  nodes: readonly PlannedNode[],
  options: KubernetesPlanOptions,
): SpecIssue[] {
  const issues: SpecIssue[] = [];
  if (!/^(\d+)\.(\d+)\.0\.0\/16$/.test(options.podCidr))
    issues.push({
      path: 'preset.podCidr',
      problem: `${options.podCidr} is not an a.b.0.0/16 range`,
      allowed: 'e.g. 10.244.0.0/16',
    });
  if (nodes.length > 256)
    issues.push({
      path: 'nodes',
      problem: `${nodes.length} nodes do not fit a /16 Pod range in /24s`,
      allowed: 'at most 256',
    });
  const unprepared = nodes.filter((n) => n.spec.profile !== 'kubernetes-node').map((n) => n.name);
  if (unprepared.length > 0)
    issues.push({
      path: 'spec.profile',
      problem: `${unprepared.join(', ')} would not be prepared for a kubelet (no kubernetes-node profile)`,
      allowed: 'profile: "kubernetes-node" in the cluster\'s spec',
    });
  const role = options.controlPlaneRole;
  const count = role ? nodes.filter((n) => n.role === role).length : 1;
  if (role && count !== 1)
    issues.push({
      path: `nodes.${role}`,
      problem: `the control-plane role must have exactly one node, it has ${count}`,
      allowed: `count: 1 for ${role}`,
    });
  return issues;
}

/** The node that runs the control plane. Pure; for a plan {@link kubernetesPlanIssues} accepted. */
export function controlPlaneNode(
  nodes: readonly PlannedNode[],
  controlPlaneRole: string | undefined,
): PlannedNode {
  const role =
    controlPlaneRole ??
    (nodes.some((n) => n.role === DEFAULT_CONTROL_PLANE_ROLE) ? DEFAULT_CONTROL_PLANE_ROLE : undefined);
  return (role ? nodes.find((n) => n.role === role) : nodes[0]) as PlannedNode;
}

/** Every node's name, cluster address and slice of the Pod range. Pure. */
export function nodeAddresses(context: PresetStepContext, podCidr: string): NodeAddress[] {
  return context.plan.map((n) => ({
    name: n.name,
    address: n.address,
    podCidr: nodePodCidr(podCidr, n.index),
  }));
}

/** Node number `index`'s /24 of a /16 Pod range. Pure. */
export function nodePodCidr(podCidr: string, index: number): string {
  const [a, b] = podCidr.split('.');
  return `${a}.${b}.${index}.0/24`;
}
