/**
 * What runtime authors (and sandkit's own runtimes, CLI and host setup) build
 * on: the engine layer, container sandboxes, labels, cleanup and validation.
 *
 * @remarks Unstable: this entry changes with sandkit's internals, without a
 * major version. Users of sandkit need only `@sandkit/core`.
 * @packageDocumentation
 */

export {
  forgetHostPaths,
  journalHostPaths,
} from './cleanup/host-path-journal.js';
export { hostPathsLabel, removeHostPaths } from './cleanup/host-paths.js';
export { isOwnerDead } from './cleanup/owner-liveness.js';
export { CONTAINERD_SOCKET } from './cluster/presets/kubeadm/container-runtime.js';
export { swarmLimits } from './cluster/presets/swarm/kernel-networking.js';
export {
  ContainerSandbox,
  type ContainerSandboxInit,
  type EngineAccess,
} from './container/container-sandbox.js';
export {
  type ContainerBlueprint,
  type CreateContainerSandboxArgs,
  createContainerSandbox,
  sandboxContainerName,
} from './container/create-container-sandbox.js';
export { labelledVolumeMount } from './container/labelled-volume-mount.js';
export { assertStillRunning } from './container/wait-until-ready.js';
export { type ConnectEngineOptions, connectEngine } from './engine/connect-engine.js';
export { logTail } from './engine/container-logs.js';
export { demuxStream } from './engine/demux-stream.js';
export { describeEngine } from './engine/describe-engine.js';
export type { EngineConnection } from './engine/engine.js';
export { engineFromSource } from './engine/engine-source.js';
export { runExec } from './engine/exec/run-exec.js';
export { loadImages, saveImages } from './engine/image-archive.js';
export { type EnsureImageOptions, ensureImage, imageExists, type PullProgress } from './engine/pull-image.js';
export { ignoreMissing, sweepByLabel } from './engine/sweep-by-label.js';
export { toSandkitError } from './engine/to-sandkit-error.js';
export { unixSocketClient } from './engine/unix-socket-client.js';
export { engineLabelFilters } from './labels/label-filter.js';
export {
  type ClusterMembership,
  clusterLabels,
  currentOwner,
  formatOwner,
  INHERITED_LABEL_OVERRIDES,
  LABEL,
  processStartTime,
  sandboxLabels,
} from './labels/sandkit-labels.js';
export { createDetachedSession, defaultSession } from './labels/session.js';
export type { PoolHost } from './orchestrator/sandbox-pool.js';
export { unavailableProbe } from './runtime/unavailable-probe.js';
export { assertValidSpec } from './spec/validate-spec.js';
export { combineSignals, delay, timeoutSignal, withTimeout } from './util/abort.js';
export { LINUX_CAPABILITIES } from './util/linux-capabilities.js';
export { withFileLock } from './util/with-file-lock.js';
export { assertValidCreateOptions, assertValidSession } from './validation/validate-create-options.js';
