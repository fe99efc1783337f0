import type { Engine } from '../engine/engine.js';
import type { SpecIssue } from '../errors/index.js';
import type { ClusterMembership, Session } from '../labels/sandkit-labels.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { DockerAccess, SandboxSpec } from '../spec/sandbox-spec.js';

/** What a runtime found when it looked at the engine. */
export interface ProbeResult {
  /** The runtime's name. */
  runtime: string;
  /** Whether it can create sandboxes now. */
  available: boolean;
  /** Why it is (un)available, in words a person can act on. */
  reasons: string[];
  /** Which `docker` access modes it serves. */
  dockerAccess: DockerAccess[];
  /** Whether its isolation is weaker than a normal container's (e.g. a privileged fallback). */
  insecure: boolean;
  /** Facts it found (engine version, kernel, runtime versions, …). */
  facts: Record<string, string>;
}

/** Options of {@link Runtime.create}. */
export interface CreateOptions {
  /** Cancels creation; everything created so far is removed and `CancelledError` is thrown. */
  signal?: AbortSignal;
  /**
   * Cancels creation (as `signal` does) after this many milliseconds.
   * @default 300_000 (5 minutes)
   */
  timeoutMs?: number;
  /**
   * Session to label the sandbox with (an orchestrator passes its own).
   * @default the runtime's session
   */
  session?: Session;
  /**
   * Told each phase of the creation as it begins (`pulling …`, `seeding …`,
   * `starting the engine inside`, `waiting for readiness`, …), for progress displays.
   * @default no progress reporting
   */
  onPhase?: (phase: string) => void;
  /**
   * Makes the sandbox a node of a cluster (an orchestrator's `cluster()` sets it):
   * attached to the cluster's network instead of the session's, under the node's
   * name as hostname and network alias, at a fixed address, and labelled with the
   * cluster, so a sweep by cluster removes it.
   * @default not a cluster node
   */
  clusterNode?: ClusterNodePlacement;
}

/** Where a cluster node sandbox sits (see {@link CreateOptions.clusterNode}). */
export interface ClusterNodePlacement {
  /** The cluster and the node's name and role in it. */
  membership: ClusterMembership & { node: { name: string; role: string } };
  /** Id of the cluster's network on the engine. */
  networkId: string;
  /** The node's IPv4 address on that network. */
  ipv4Address: string;
}

/** What a sweep removed. */
export interface SweepReport {
  containers: string[];
  networks: string[];
  volumes: string[];
  /** Images (by id) a guarded job built, removed once nothing else used them. */
  images: string[];
  /** Host paths (directories, sockets, mounts). */
  paths: string[];
}

/**
 * A backend that creates sandboxes. Small on purpose (compare kind's node
 * Provider): everything a sandbox does afterwards is the Sandbox contract.
 */
export interface Runtime {
  /** Stable name, used in labels, errors and `explain()`. */
  readonly name: string;
  /** Looks at the engine and says whether and how this runtime can work there. */
  probe(options?: { signal?: AbortSignal }): Promise<ProbeResult>;
  /** Runtime-specific spec problems (on top of the generic checks); empty when the runtime can run the spec. */
  validate(spec: SandboxSpec): SpecIssue[];
  /** Creates a sandbox and waits until it is ready. */
  create(spec: SandboxSpec, options?: CreateOptions): Promise<Sandbox>;
  /**
   * The engine its sandboxes live on (connected on first use). Everything a
   * runtime makes carries sandkit's labels there, so an orchestrator sweeps and
   * watches this engine by label (`sweepByLabel`), for every runtime at once.
   */
  engine(): Promise<Engine>;
}
