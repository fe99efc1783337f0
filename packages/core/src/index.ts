/**
 * sandkit's public API: the orchestrator, the contracts a sandbox and a
 * runtime meet, the spec, the typed errors and the events.
 *
 * What runtime authors need (the engine layer, labels, cleanup helpers) is
 * in `@sandkit/core/runtime`.
 * @packageDocumentation
 */
export type { ClusterNetwork } from './cluster/cluster-network.js';
export type { ClusterNode } from './cluster/cluster-node.js';
export type { ClusterPreset, PresetStepContext } from './cluster/cluster-preset.js';
export type {
  ClusterCreateOptions,
  ClusterDestroyOptions,
  ClusterRole,
  ClusterSpec,
} from './cluster/cluster-spec.js';
export type { NodeProgress } from './cluster/create-cluster.js';
export type { PlannedNode } from './cluster/plan-cluster.js';
export type { KubeadmContainerRuntime } from './cluster/presets/kubeadm/container-runtime.js';
export type { JoinCredentials } from './cluster/presets/kubeadm/join-command.js';
export {
  type KubeadmOptions,
  type KubeadmState,
  kubeadm,
} from './cluster/presets/kubeadm/kubeadm-preset.js';
export { KubeadmStepFailedError } from './cluster/presets/kubeadm/kubeadm-step-error.js';
export {
  type KubernetesOptions,
  type KubernetesState,
  kubernetes,
} from './cluster/presets/kubernetes/kubernetes-preset.js';
export type { KernelNetworking } from './cluster/presets/swarm/kernel-networking.js';
export { type SwarmOptions, type SwarmState, swarm } from './cluster/presets/swarm/swarm-preset.js';
export type { SwarmServiceOptions } from './cluster/presets/swarm/swarm-requests.js';
export { createSwarmService, type SwarmService } from './cluster/presets/swarm/swarm-service.js';
export { SandboxCluster } from './cluster/sandbox-cluster.js';
export type { Engine } from './engine/engine.js';
export type { EngineSource } from './engine/engine-source.js';
export * from './errors/index.js';
export type { Session } from './labels/sandkit-labels.js';
export { createSession } from './labels/session.js';
export type { ManagedSandbox } from './orchestrator/managed-sandbox.js';
export {
  type AcquireOptions,
  type PoolOptions,
  type PoolState,
  SandboxPool,
} from './orchestrator/sandbox-pool.js';
export { Sandkit, type SandkitCreateOptions, type SandkitOptions } from './orchestrator/sandkit.js';
export type { SandkitEventName, SandkitEvents } from './orchestrator/sandkit-events.js';
export type { RuntimeChoice } from './orchestrator/select-runtime.js';
export type * from './runtime/runtime.js';
export type * from './sandbox/exec-types.js';
export type * from './sandbox/sandbox.js';
export type * from './spec/sandbox-spec.js';
export { findSpecIssues } from './spec/validate-spec.js';
