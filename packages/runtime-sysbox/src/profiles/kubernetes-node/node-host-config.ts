import { existsSync } from 'node:fs';
import type Dockerode from 'dockerode';

/** HostConfig fields of a Kubernetes node (`CgroupnsMode` is missing from dockerode's types). */
export interface NodeHostConfig {
  Binds: string[];
  Devices?: Dockerode.DeviceMapping[];
  DeviceCgroupRules?: string[];
  CgroupnsMode?: 'private';
}

/** The host's kernel modules, which kube-proxy and CNI plugins may look up (read-only). */
const HOST_MODULES = '/lib/modules';

/**
 * What a Kubernetes node's container gets from the engine, beyond a system
 * container's rights. Sysbox gives a node its own cgroup root and a null
 * `/dev/kmsg` unprivileged; the fallback gets the same explicitly: a private
 * cgroup namespace and, without `--privileged`, `/dev/kmsg` as a null device
 * (the host's kernel log is not handed out) and a device cgroup that allows
 * every device, as `--privileged` would. Both get the host's `/lib/modules` read-only where the
 * (local) host has them.
 */
export function kubernetesNodeHostConfig(options: {
  /** How the container gets its rights: Sysbox, or the fallback's `--privileged` or explicit capabilities. */
  rights: 'sysbox' | 'privileged' | 'explicit-capabilities';
  localEngine: boolean;
}): NodeHostConfig {
  const { rights } = options;
  return {
    Binds: options.localEngine && existsSync(HOST_MODULES) ? [`${HOST_MODULES}:${HOST_MODULES}:ro`] : [],
    ...(rights === 'sysbox' ? {} : { CgroupnsMode: 'private' }),
    // A privileged container has every host device, /dev/kmsg included, and may grant any device to
    // the containers it runs. Without --privileged the node's device cgroup keeps the engine's default
    // list, and the node's runtime cannot start a privileged Pod (kubeadm's kube-proxy): runc fails
    // to write "a *:* rwm" to the Pod container's devices.allow.
    ...(rights === 'explicit-capabilities'
      ? {
          Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/kmsg', CgroupPermissions: 'rwm' }],
          DeviceCgroupRules: ['a *:* rwm'],
        }
      : {}),
  };
}
