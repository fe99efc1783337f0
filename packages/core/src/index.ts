export {
  forgetHostPaths,
  journalDir,
  journalHostPaths,
  sweepJournal,
} from './cleanup/host-path-journal.js';
export { hostPathsFromLabels, hostPathsLabel, removeHostPaths } from './cleanup/host-paths.js';
export { isOwnerDead } from './cleanup/owner-liveness.js';
export { startWatchdog, type Watchdog, type WatchdogConfig } from './cleanup/watchdog.js';
export type { ClusterNetwork } from './cluster/cluster-network.js';
export { clusterNetworkName } from './cluster/cluster-network.js';
export type { ClusterNode } from './cluster/cluster-node.js';
export type { ClusterPreset, PresetStepContext } from './cluster/cluster-preset.js';
export type {
  ClusterCreateOptions,
  ClusterDestroyOptions,
  ClusterRole,
  ClusterSpec,
} from './cluster/cluster-spec.js';
export {
  CLUSTER_SUBNET_POOL,
  nodeAddress,
  parseSubnet,
  pickFreeSubnet,
  type Subnet,
} from './cluster/cluster-subnet.js';
export { DEFAULT_CLUSTER_TIMEOUT_MS, type NodeProgress } from './cluster/create-cluster.js';
export {
  assertValidClusterSpec,
  DEFAULT_ROLE,
  findClusterSpecIssues,
  MAX_CLUSTER_NODES,
  type PlannedNode,
  planNodes,
  roleSpec,
} from './cluster/plan-cluster.js';
export * from './cluster/presets/swarm/index.js';
export { SandboxCluster } from './cluster/sandbox-cluster.js';
export {
  ContainerSandbox,
  type ContainerSandboxInit,
  type EngineAccess,
} from './container/container-sandbox.js';
export {
  type ContainerBlueprint,
  type CreateContainerSandboxArgs,
  createContainerSandbox,
  DEFAULT_CREATE_TIMEOUT_MS,
  DEFAULT_PIDS_LIMIT,
  sandboxContainerName,
} from './container/create-container-sandbox.js';
export { labelledVolumeMount } from './container/labelled-volume-mount.js';
export { sessionNetworkName } from './container/session-network.js';
export { assertStillRunning } from './container/wait-until-ready.js';
export { type ConnectEngineOptions, connectEngine, engineCandidates } from './engine/connect-engine.js';
export { logTail, readLogs } from './engine/container-logs.js';
export { demuxStream } from './engine/demux-stream.js';
export { describeEngine } from './engine/describe-engine.js';
export type { Engine } from './engine/engine.js';
export { type EngineSource, engineFromSource } from './engine/engine-source.js';
export { runExec } from './engine/exec/run-exec.js';
export { startExec } from './engine/exec/start-exec.js';
export { loadImages, saveImages } from './engine/image-archive.js';
export { type EnsureImageOptions, ensureImage, imageExists, type PullProgress } from './engine/pull-image.js';
export { ignoreMissing, sweepByLabel } from './engine/sweep-by-label.js';
export { toSandkitError } from './engine/to-sandkit-error.js';
export { unixSocketClient } from './engine/unix-socket-client.js';
export * from './errors/index.js';
export { engineLabelFilters, matchesFilter, type SweepFilter } from './labels/label-filter.js';
export {
  type ClusterMembership,
  clusterLabels,
  currentOwner,
  formatOwner,
  INHERITED_LABEL_OVERRIDES,
  LABEL,
  processStartTime,
  RESERVED_LABEL_PREFIX,
  type Session,
  sandboxLabels,
} from './labels/sandkit-labels.js';
export { createDetachedSession, createSession, defaultSession } from './labels/session.js';
export { ManagedSandbox } from './orchestrator/managed-sandbox.js';
export {
  type AcquireOptions,
  type PoolOptions,
  type PoolState,
  SandboxPool,
} from './orchestrator/sandbox-pool.js';
export { Sandkit, type SandkitCreateOptions, type SandkitOptions } from './orchestrator/sandkit.js';
export type { SandkitEventName, SandkitEvents } from './orchestrator/sandkit-events.js';
export { type Candidate, type RuntimeChoice, selectRuntime } from './orchestrator/select-runtime.js';
export type * from './runtime/runtime.js';
export { unavailableProbe } from './runtime/unavailable-probe.js';
export type * from './sandbox/exec-types.js';
export type * from './sandbox/sandbox.js';
export type * from './spec/sandbox-spec.js';
export { assertValidSpec, findSpecIssues, MAX_TTL_MS } from './spec/validate-spec.js';
export { combineSignals, delay, raceSignal, withTimeout } from './util/abort.js';
export { withFileLock } from './util/with-file-lock.js';
export { assertValidCreateOptions, assertValidSession } from './validation/validate-create-options.js';
