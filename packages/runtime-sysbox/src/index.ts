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
export { SYSBOX_RUNTIME, SysboxRuntime, type SysboxRuntimeOptions, sysbox } from './sysbox-runtime.js';
export { validateSysboxSpec } from './validate-sysbox-spec.js';
