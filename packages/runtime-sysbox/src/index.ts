/**
 * The system-container runtime: sandboxes under Sysbox (or, when allowed, an
 * insecure privileged fallback) with an inner Docker daemon of their own,
 * seeded from goldens; and the seed store's administration.
 * @packageDocumentation
 */
export { detectPrivilegeMode, type PrivilegeMode } from './fallback/detect-privilege-mode.js';
export type { InnerDaemonOptions } from './inner-daemon/inner-daemon-options.js';
export { detectSysbox, type SysboxDetection } from './probe/detect-sysbox.js';
export {
  type CheckKubernetesNodeOptions,
  checkKubernetesNode,
  type KubernetesNodeRequirement,
} from './profiles/kubernetes-node/check-kubernetes-node.js';
export { type GoldenInfo, gcGoldens, listGoldens } from './seed/golden-store.js';
export { createLoopStore, type LoopStoreOptions, removeLoopStore } from './seed/loop-store.js';
export {
  type CloneMethod,
  DEFAULT_SEED_STORE,
  detectSeedStore,
  type SeedStoreInfo,
} from './seed/seed-store.js';
export { SYSBOX_RUNTIME, SysboxRuntime, type SysboxRuntimeOptions, sysbox } from './sysbox-runtime.js';
