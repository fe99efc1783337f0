import { existsSync } from 'node:fs';
import type { Sandbox } from '@sandkit/core';
import { KUBELET_KERNEL_SETTINGS } from './kernel-settings.js';

/** One requirement of a Kubernetes node, as found inside a sandbox. */
export interface KubernetesNodeRequirement {
  /** What is required, e.g. `shared mount propagation`. */
  requirement: string;
  /** Whether the sandbox meets it. */
  ok: boolean;
  /** What was found. */
  detail: string;
}

/** Options of {@link checkKubernetesNode}. */
export interface CheckKubernetesNodeOptions {
  /**
   * Whether the host has `/lib/modules` (then the node must see them, read-only).
   * @default whether this process's host has it (right for a local engine)
   */
  hostHasModules?: boolean;
  /**
   * Cancels the check.
   * @default never
   */
  signal?: AbortSignal;
  /**
   * Gives up after this many milliseconds.
   * @default 30_000
   */
  timeoutMs?: number;
}

const SEPARATOR = '\t';

/**
 * The check, as a shell script that prints one `requirement<TAB>ok|no<TAB>detail`
 * line per requirement. It changes nothing but a cgroup it makes and removes.
 */
function checkScript(hostHasModules: boolean): string {
  const settings = Object.entries(KUBELET_KERNEL_SETTINGS)
    .map(([path, value]) => `${path}=${value}`)
    .join(' ');
  const line = (requirement: string, test: string, ok: string, no: string) =>
    `if ${test}; then echo "${requirement}${SEPARATOR}ok${SEPARATOR}${ok}"; else echo "${requirement}${SEPARATOR}no${SEPARATOR}${no}"; fi`;
  return [
    'root=$(grep -E "^[0-9]+ [0-9]+ [^ ]+ / / " /proc/self/mountinfo)',
    line(
      'shared mount propagation',
      'echo "$root" | grep -q "shared:"',
      '/ is shared (mounts under /var/lib/kubelet reach Pods)',
      '/ is private: run mount --make-rshared /',
    ),
    line(
      'kernel messages',
      '[ -c /dev/kmsg ] && head -c 0 /dev/kmsg 2>/dev/null',
      '/dev/kmsg is a readable character device',
      'no readable /dev/kmsg character device (the kubelet exits without one)',
    ),
    'if [ -f /sys/fs/cgroup/cgroup.controllers ]; then cg=/sys/fs/cgroup; else cg=/sys/fs/cgroup/memory; fi',
    'probe="$cg/sandkit-node-check-$$"',
    line(
      'writable cgroups',
      'mkdir "$probe" 2>/dev/null && rmdir "$probe"',
      '$cg: a child cgroup can be made (the kubelet makes kubepods)',
      '$cg is read-only: the kubelet cannot make its cgroups',
    ),
    line(
      'own cgroup root',
      '! grep -vqE "^[0-9]+:[^:]*:/$" /proc/1/cgroup',
      'PID 1 sits at the root of its cgroup namespace',
      "PID 1's cgroup is $(head -n 1 /proc/1/cgroup): the node would see the host's hierarchy",
    ),
    'wrong=""',
    `for setting in ${settings}; do`,
    `  [ "$(cat "/proc/sys/\${setting%=*}")" = "\${setting#*=}" ] || wrong="$wrong \${setting%=*}=$(cat "/proc/sys/\${setting%=*}")"`,
    'done',
    line(
      'kernel settings',
      '[ -z "$wrong" ]',
      `${Object.entries(KUBELET_KERNEL_SETTINGS)
        .map(([path, value]) => `${path.replace('/', '.')}=${value}`)
        .join(', ')}, as the kubelet wants`,
      'the kubelet would try to change:$wrong',
    ),
    line(
      'network settings',
      '(cat /proc/sys/net/ipv4/ip_forward > /proc/sys/net/ipv4/ip_forward) 2>/dev/null && [ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ]',
      'the node may change its own network settings; forwarding is on',
      '/proc/sys/net is read-only or forwarding is off (kube-proxy needs both)',
    ),
    hostHasModules
      ? line(
          'kernel modules',
          'grep -qE " /lib/modules ro[, ]" /proc/self/mountinfo',
          "the host's /lib/modules, read-only",
          "the host's /lib/modules are not mounted read-only at /lib/modules",
        )
      : `echo "kernel modules${SEPARATOR}ok${SEPARATOR}the host has no /lib/modules (its kernel's modules are built in)"`,
  ].join('\n');
}

/**
 * Checks, inside a running sandbox, what a kubelet needs of the system
 * container it runs in (the `kubernetes-node` profile's promises): shared
 * mount propagation of `/`, a readable `/dev/kmsg`, writable cgroups of its
 * own, the kernel settings the kubelet checks at its values, writable network
 * settings with forwarding on, and the host's kernel modules read-only where
 * the host has them. Used by `sandkit doctor` and by the tests.
 */
export async function checkKubernetesNode(
  sandbox: Sandbox,
  options: CheckKubernetesNodeOptions = {},
): Promise<KubernetesNodeRequirement[]> {
  const hostHasModules = options.hostHasModules ?? existsSync('/lib/modules');
  const { stdout } = await sandbox.exec(['sh', '-c', checkScript(hostHasModules)], {
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((row) => {
      const [requirement = '', verdict, ...detail] = row.split(SEPARATOR);
      return { requirement, ok: verdict === 'ok', detail: detail.join(SEPARATOR) };
    });
}
