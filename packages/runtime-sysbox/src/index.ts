export {
  detectPrivilegeMode,
  type PrivilegeMode,
  UNCONFINED_SECURITY_OPTS,
} from './fallback/detect-privilege-mode.js';
export { LINUX_CAPABILITIES } from './fallback/linux-capabilities.js';
export { privilegedHostConfig, REMOUNT_CGROUPS_RW } from './fallback/privileged-host-config.js';
export { type ExecRelay, startExecRelay } from './inner-daemon/exec-relay.js';
export {
  INNER_DAEMON_LOG,
  type InnerDaemonOptions,
  LAUNCHER_PATH,
  SOCKET_DIR_IN_SANDBOX,
} from './inner-daemon/inner-daemon-options.js';
export { innerDaemonArgs, launcherScript } from './inner-daemon/launcher-script.js';
export { detectSysbox, type SysboxDetection } from './probe/detect-sysbox.js';
export { cloneDirectory } from './seed/clone-directory.js';
export { type GoldenInputs, goldenKey } from './seed/golden-key.js';
export { ensureGolden, GOLDEN_MARKER, type GoldenInfo, gcGoldens, listGoldens } from './seed/golden-store.js';
export { loadSeedImages, resolveSeedImages, type SeedImage } from './seed/load-seed-images.js';
export { createLoopStore, type LoopStoreOptions, removeLoopStore } from './seed/loop-store.js';
export type { SeedPlan } from './seed/plan-seed.js';
export {
  type CloneMethod,
  DEFAULT_SEED_STORE,
  detectSeedStore,
  type SeedStoreInfo,
  storePaths,
} from './seed/seed-store.js';
export { type ResolvedSeedStrategy, resolveSeedStrategy } from './seed/seed-strategy.js';
export { SYSBOX_RUNTIME, SysboxRuntime, type SysboxRuntimeOptions, sysbox } from './sysbox-runtime.js';
export { validateSysboxSpec } from './validate-sysbox-spec.js';
