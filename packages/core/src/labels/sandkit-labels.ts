import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Every label sandkit sets starts with this; user labels may not. */
export const RESERVED_LABEL_PREFIX = 'dev.sandkit.';

/** The labels sandkit puts on every container, network and volume it creates. */
export const LABEL = {
  /** Marks an object as sandkit's (value `true`). */
  managed: 'dev.sandkit.managed',
  /** The session (one per process or `Sandkit` instance) that created it. */
  session: 'dev.sandkit.session',
  /** The sandbox it belongs to. */
  sandbox: 'dev.sandkit.sandbox',
  /** The runtime (backend) that created it. */
  runtime: 'dev.sandkit.runtime',
  /** `host:pid:start` of the process that owns the session. */
  owner: 'dev.sandkit.owner',
  /** Expiry as milliseconds since the epoch; absent when there is none. */
  expiresAt: 'dev.sandkit.expires-at',
  /** JSON array of host paths (directories, sockets) that belong to the sandbox and go with it. */
  hostPaths: 'dev.sandkit.host-paths',
  /** The cluster (uuid v7) a node sandbox and the cluster's network belong to; a sweep by it removes the whole cluster. */
  cluster: 'dev.sandkit.cluster',
  /** The cluster's name, as its owner gave it. */
  clusterName: 'dev.sandkit.cluster-name',
  /** A node's name in its cluster (also its hostname), e.g. `worker-2`. */
  clusterNode: 'dev.sandkit.cluster-node',
  /** A node's role in its cluster, e.g. `manager`. */
  clusterRole: 'dev.sandkit.cluster-role',
} as const;

/** Which cluster an object belongs to, and as which node (absent for the cluster's own network). */
export interface ClusterMembership {
  clusterId: string;
  clusterName: string;
  node?: { name: string; role: string } | undefined;
}

/** The cluster labels of an object of a cluster. */
export function clusterLabels(membership: ClusterMembership): Record<string, string> {
  return {
    [LABEL.cluster]: membership.clusterId,
    [LABEL.clusterName]: membership.clusterName,
    ...(membership.node
      ? { [LABEL.clusterNode]: membership.node.name, [LABEL.clusterRole]: membership.node.role }
      : {}),
  };
}

/** Identity of the set of sandboxes one owner creates; everything it creates is labelled with it. */
export interface Session {
  /** uuid v7. */
  id: string;
  /** `host:pid:start` of the owning process (see {@link currentOwner}). */
  owner: string;
}

/**
 * sandkit's labels that a container would otherwise inherit from its image
 * (any image may carry any label, e.g. `LABEL` in a job's Dockerfile), set to
 * harmless values: no host paths for cleanup to remove, no expiry. Spread
 * first: a container's real values, given after, replace them.
 */
export const INHERITED_LABEL_OVERRIDES: Readonly<Record<string, string>> = {
  [LABEL.hostPaths]: '[]',
  [LABEL.expiresAt]: 'never',
};

/** Labels for one object of a sandbox. */
export function sandboxLabels(options: {
  session: Session;
  sandboxId: string;
  runtime: string;
  expiresAt?: number | undefined;
  extra?: Record<string, string> | undefined;
  /** Set for the nodes of a cluster. */
  cluster?: ClusterMembership | undefined;
}): Record<string, string> {
  return {
    ...options.extra,
    ...(options.cluster ? clusterLabels(options.cluster) : {}),
    [LABEL.managed]: 'true',
    [LABEL.session]: options.session.id,
    [LABEL.sandbox]: options.sandboxId,
    [LABEL.runtime]: options.runtime,
    [LABEL.owner]: options.session.owner,
    ...(options.expiresAt !== undefined ? { [LABEL.expiresAt]: String(options.expiresAt) } : {}),
  };
}

/**
 * `host:pid:start` of this process, where `start` is the process's start time in
 * clock ticks since boot (from /proc), so a reused pid is not mistaken for the owner.
 */
export function currentOwner(): string {
  return formatOwner(hostname(), process.pid, processStartTime(process.pid));
}

export function formatOwner(host: string, pid: number, start: string | undefined): string {
  return `${host}:${pid}:${start ?? ''}`;
}

/**
 * Start time of a process in clock ticks since boot, or `undefined` when it is
 * not running: gone, or dead and not yet reaped by its parent (a zombie), or
 * /proc is absent.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (field 2, which may contain spaces): state is field 3, start time field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return fields[19];
  } catch {
    return undefined;
  }
}
