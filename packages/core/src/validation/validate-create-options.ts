import type { SandkitErrorContext } from '../errors/sandkit-error.js';
import type { CreateOptions } from '../runtime/runtime.js';
import { describeValue, IssueList } from './issue-list.js';

/** What the engine accepts in object names (sandkit puts the session id in network names). */
const SESSION_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/** Checks a session handed in by a caller (`{ id, owner }`). */
export function checkSession(list: IssueList, value: unknown, path: string): void {
  const session = list.object(value, path, ['id', 'owner']);
  if (!session) return;
  if (!(typeof session.id === 'string' && SESSION_ID.test(session.id))) {
    list.add(
      `${path}.id`,
      `${describeValue(session.id)} cannot name engine objects`,
      'letters, digits, "_", "." and "-", starting with a letter or digit (createSession() makes one)',
    );
  }
  list.text(session.owner, `${path}.owner`, 'the owner string createSession() sets', { empty: false });
}

/** The options of `Runtime.create`. */
const RUNTIME_CREATE_KEYS = [
  'signal',
  'timeoutMs',
  'session',
  'onPhase',
  'clusterNode',
] as const satisfies readonly (keyof CreateOptions)[];

/**
 * Throws `InvalidArgumentError` unless `options` are valid options of a
 * runtime's `create`, or of `Sandkit.create` when `keys` lists its options.
 */
export function assertValidCreateOptions(
  options: unknown,
  context: SandkitErrorContext = {},
  keys: readonly string[] = RUNTIME_CREATE_KEYS,
): void {
  const list = new IssueList();
  const o = list.object(options, 'options', keys);
  if (o) {
    if (o.signal !== undefined) list.signal(o.signal, 'options.signal');
    if (o.timeoutMs !== undefined) list.timeoutMs(o.timeoutMs, 'options.timeoutMs');
    if (o.session !== undefined) checkSession(list, o.session, 'options.session');
    if (o.onPhase !== undefined && typeof o.onPhase !== 'function') {
      list.add(
        'options.onPhase',
        `expected a function, got ${describeValue(o.onPhase)}`,
        'a function (phase: string) => void',
      );
    }
    if (o.clusterNode !== undefined) checkClusterNode(list, o.clusterNode);
    if (o.runtime !== undefined)
      list.text(o.runtime, 'options.runtime', 'the name of a configured runtime', { empty: false });
    if (o.priority !== undefined && !Number.isFinite(o.priority)) {
      list.add(
        'options.priority',
        `expected a finite number, got ${describeValue(o.priority)}`,
        'a finite number; higher runs earlier',
      );
    }
  }
  list.throwIfAny('create', context);
}

function checkClusterNode(list: IssueList, value: unknown): void {
  const placement = list.object(value, 'options.clusterNode', ['membership', 'networkId', 'ipv4Address']);
  if (!placement) return;
  list.text(placement.networkId, 'options.clusterNode.networkId', 'the id of the cluster network', {
    empty: false,
  });
  list.text(placement.ipv4Address, 'options.clusterNode.ipv4Address', 'an IPv4 address on that network', {
    empty: false,
  });
  const membership = list.object(placement.membership, 'options.clusterNode.membership', [
    'clusterId',
    'clusterName',
    'node',
  ]);
  if (!membership) return;
  const node = list.object(membership.node, 'options.clusterNode.membership.node', ['name', 'role']);
  if (node) {
    list.text(node.name, 'options.clusterNode.membership.node.name', 'a hostname', { empty: false });
    list.text(node.role, 'options.clusterNode.membership.node.role', 'a role name', { empty: false });
  }
}

/** Throws `InvalidArgumentError` when a constructor's `session` option is malformed. */
export function assertValidSession(session: unknown, operation: string): void {
  if (session === undefined) return;
  const list = new IssueList();
  checkSession(list, session, 'options.session');
  list.throwIfAny(operation);
}
