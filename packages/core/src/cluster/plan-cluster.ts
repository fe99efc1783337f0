import { InvalidSpecError, type SpecIssue } from '../errors/index.js';
import type { SandboxSpec } from '../spec/sandbox-spec.js';
import { findSpecIssues } from '../spec/validate-spec.js';
import { describeValue, IssueList } from '../validation/issue-list.js';
import type { ClusterRole, ClusterSpec } from './cluster-spec.js';
import {
  CLUSTER_SUBNET_POOL,
  formatSubnet,
  nodeAddress,
  nodeCapacity,
  parseSubnet,
} from './cluster-subnet.js';

/** A node as planned, before anything exists. */
export interface PlannedNode {
  /** `<role>-<n>` (1-based per role): its hostname and name on the cluster network. */
  name: string;
  role: string;
  /** Position in creation order over all roles (0-based); its address follows from it. */
  index: number;
  /** The cluster's spec with the role's changes, `docker: 'isolated'`. */
  spec: SandboxSpec;
}

/** The most nodes one cluster may have. */
export const MAX_CLUSTER_NODES = 64;
/** Role used when `nodes` is a plain number. */
export const DEFAULT_ROLE = 'node';

const CLUSTER_KEYS = [
  'name',
  'nodes',
  'spec',
  'preset',
  'subnet',
] as const satisfies readonly (keyof ClusterSpec)[];
const ROLE_KEYS = ['count', 'spec'] as const satisfies readonly (keyof ClusterRole)[];
/** Cluster and role names become hostnames (`<role>-<n>`) and labels: DNS-label characters. */
const NAME = /^[a-z][a-z0-9-]{0,30}$/;
const NAME_ALLOWED = 'lowercase letters, digits and "-", starting with a letter, at most 31 characters';

/** The cluster's spec with a role's changes: fields replaced, `env` and `labels` merged. */
export function roleSpec(base: SandboxSpec, changes: Partial<SandboxSpec> = {}): SandboxSpec {
  return {
    ...base,
    ...changes,
    docker: changes.docker ?? base.docker ?? 'isolated',
    ...(base.env || changes.env ? { env: { ...base.env, ...changes.env } } : {}),
    ...(base.labels || changes.labels ? { labels: { ...base.labels, ...changes.labels } } : {}),
  } as SandboxSpec;
}

/** The roles in creation order: `nodes: 3` is three nodes of role `node`. */
function rolesOf(nodes: ClusterSpec['nodes']): Array<[string, ClusterRole]> {
  return typeof nodes === 'number' ? [[DEFAULT_ROLE, { count: nodes }]] : Object.entries(nodes);
}

/** The nodes a valid cluster spec makes, in creation order. Pure. */
export function planNodes(spec: ClusterSpec): PlannedNode[] {
  const planned: PlannedNode[] = [];
  for (const [role, { count, spec: changes }] of rolesOf(spec.nodes)) {
    for (let n = 1; n <= count; n++) {
      planned.push({ name: `${role}-${n}`, role, index: planned.length, spec: roleSpec(spec.spec, changes) });
    }
  }
  return planned;
}

/**
 * Every problem with a cluster spec (empty when valid): its own fields, each
 * role's merged node spec (generic checks, then `validateNode`, e.g. the chosen
 * runtime's), `docker` other than `'isolated'`, a subnet too small, and what
 * the preset refuses. Pure; never throws.
 */
export function findClusterSpecIssues(
  spec: ClusterSpec,
  validateNode: (spec: SandboxSpec) => SpecIssue[] = () => [],
): SpecIssue[] {
  const list = new IssueList();
  const s = list.object(spec, '', CLUSTER_KEYS);
  if (!s) return [{ ...(list.issues[0] as SpecIssue), path: '(cluster spec)' }];
  if (s.name !== undefined && !(typeof s.name === 'string' && NAME.test(s.name)))
    list.add('name', `${describeValue(s.name)} is not a valid cluster name`, NAME_ALLOWED);
  const roles = checkRoles(list, s.nodes);
  const base = list.object(s.spec, 'spec', Object.keys(s.spec ?? {}));
  if (!base) return list.issues;
  let total = 0;
  for (const [role, changes] of roles) {
    total += changes.count;
    const path = typeof s.nodes === 'number' ? 'spec' : `nodes.${role}.spec`;
    const merged = roleSpec(base as unknown as SandboxSpec, changes.spec);
    for (const issue of [...findSpecIssues(merged), ...validateNode(merged)]) {
      list.add(issue.path ? `${path}.${issue.path}` : path, issue.problem, issue.allowed);
    }
    // A Kubernetes node may bring its own container runtime (e.g. a kind node image) instead.
    const ownRuntime = merged.docker === 'none' && merged.profile === 'kubernetes-node';
    if (merged.docker !== 'isolated' && !ownRuntime) {
      list.add(
        `${path}.docker`,
        `a cluster node needs its own inner daemon, got ${describeValue(merged.docker)}`,
        '"isolated" (the default for cluster nodes), or "none" for a kubernetes-node image with its own container runtime',
      );
    }
  }
  // Without a subnet of its own, the cluster gets a /24.
  const subnet = parseSubnet(s.subnet === undefined ? '10.210.0.0/24' : String(s.subnet));
  if (s.subnet !== undefined && (!subnet || subnet.prefix < 16 || subnet.prefix > 28)) {
    list.add(
      'subnet',
      `${describeValue(s.subnet)} is not an IPv4 subnet of /16 to /28`,
      `CIDR notation with the subnet's first address, e.g. "10.210.7.0/24" (default: a free /24 of ${CLUSTER_SUBNET_POOL})`,
    );
  } else if (subnet && total > nodeCapacity(subnet)) {
    list.add(
      'subnet',
      `${formatSubnet(subnet)} has room for ${nodeCapacity(subnet)} nodes, the spec asks for ${total}`,
      'a larger subnet, or fewer nodes',
    );
  }
  if (s.preset !== undefined) {
    const preset = s.preset as ClusterSpec['preset'];
    const steps = ['validate', 'bootstrapNode', 'bootstrap', 'join', 'settle'] as const;
    const missing = steps.filter(
      (step) => typeof (preset as Record<string, unknown> | undefined)?.[step] !== 'function',
    );
    if (!preset || missing.length > 0) {
      list.add(
        'preset',
        `expected a cluster preset, got ${describeValue(preset)}${preset && missing.length < steps.length ? ` (no ${missing.join(', ')})` : ''}`,
        'a preset such as swarm() or kubernetes()',
      );
    } else if (list.issues.length === 0) {
      const plan = planNodes(spec);
      for (const issue of preset.validate(plan)) list.add(issue.path, issue.problem, issue.allowed);
      if (list.issues.length === 0) {
        const first = preset.bootstrapNode(plan);
        if (!plan.some((node) => node.name === first))
          list.add(
            'preset',
            `the preset would bootstrap node "${first}", which the cluster does not have`,
            plan.map((n) => n.name).join(', '),
          );
      }
    }
  }
  // A problem of the shared spec shows once per role; identical ones are kept once.
  return dedupe(list.issues);
}

function checkRoles(list: IssueList, nodes: unknown): Array<[string, ClusterRole]> {
  const countAllowed = `an integer from 1 to ${MAX_CLUSTER_NODES}`;
  if (typeof nodes === 'number') {
    if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_CLUSTER_NODES) {
      list.add('nodes', `${describeValue(nodes)} is not a node count`, countAllowed);
      return [];
    }
    return [[DEFAULT_ROLE, { count: nodes }]];
  }
  const roles = list.object(nodes, 'nodes', Object.keys((nodes as object | null) ?? {}));
  if (!roles) return [];
  if (Object.keys(roles).length === 0)
    list.add('nodes', 'no roles', 'at least one role, e.g. { worker: { count: 2 } }');
  const valid: Array<[string, ClusterRole]> = [];
  let total = 0;
  for (const [role, value] of Object.entries(roles)) {
    if (!NAME.test(role)) list.add(`nodes.${role}`, `"${role}" is not a valid role name`, NAME_ALLOWED);
    const r = list.object(value, `nodes.${role}`, ROLE_KEYS);
    if (!r) continue;
    if (!Number.isInteger(r.count) || (r.count as number) < 1) {
      list.add(`nodes.${role}.count`, `${describeValue(r.count)} is not a node count`, countAllowed);
      continue;
    }
    if (r.spec !== undefined && !list.object(r.spec, `nodes.${role}.spec`, Object.keys(r.spec ?? {})))
      continue;
    total += r.count as number;
    valid.push([role, r as unknown as ClusterRole]);
  }
  if (total > MAX_CLUSTER_NODES)
    list.add('nodes', `${total} nodes in all`, `at most ${MAX_CLUSTER_NODES} nodes in a cluster`);
  return valid;
}

function dedupe(issues: readonly SpecIssue[]): SpecIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\0${issue.problem}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Throws `InvalidSpecError` (nothing created) unless the cluster spec is valid. */
export function assertValidClusterSpec(
  spec: ClusterSpec,
  validateNode?: (spec: SandboxSpec) => SpecIssue[],
): void {
  const issues = findClusterSpecIssues(spec, validateNode);
  if (issues.length > 0) throw new InvalidSpecError(issues);
}

/** The planned nodes with their addresses on the cluster subnet. */
export function addressNodes(
  nodes: readonly PlannedNode[],
  subnet: string,
): Array<PlannedNode & { address: string }> {
  const parsed = parseSubnet(subnet);
  if (!parsed) throw new RangeError(`not a subnet: ${subnet}`);
  return nodes.map((node) => ({ ...node, address: nodeAddress(parsed, node.index) }));
}
