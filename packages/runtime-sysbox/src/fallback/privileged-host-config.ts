import type Dockerode from 'dockerode';
import { type PrivilegeMode, UNCONFINED_SECURITY_OPTS } from './detect-privilege-mode.js';

/** HostConfig that gives the insecure fallback privileged-equivalent rights in the detected mode. */
export function privilegedHostConfig(mode: PrivilegeMode): Dockerode.HostConfig {
  if (mode.kind === 'privileged') return { Privileged: true };
  return { CapAdd: [...mode.capAdd], SecurityOpt: [...UNCONFINED_SECURITY_OPTS] };
}

/**
 * Shell lines that make the container's cgroup v1 hierarchies writable (the
 * engine mounts them read-only unless the container is privileged). Harmless
 * on cgroup v2 and when they are writable already.
 */
export const REMOUNT_CGROUPS_RW = [
  'if [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then',
  '  for hierarchy in /sys/fs/cgroup/*/; do mount -o remount,bind,rw "$hierarchy" 2>/dev/null || true; done',
  'fi',
].join('\n');
