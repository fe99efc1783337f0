export {
  detectPrivilegeMode,
  type PrivilegeMode,
  UNCONFINED_SECURITY_OPTS,
} from './fallback/detect-privilege-mode.js';
export { LINUX_CAPABILITIES } from './fallback/linux-capabilities.js';
export { privilegedHostConfig, REMOUNT_CGROUPS_RW } from './fallback/privileged-host-config.js';
