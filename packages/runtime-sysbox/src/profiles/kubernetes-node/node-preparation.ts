import { KUBELET_KERNEL_SETTINGS } from './kernel-settings.js';

/** Where the fallback keeps the values it shows a node in place of the host's kernel settings. */
const SHOWN_SETTINGS_DIR = '/run/sandkit-kernel-settings';

/**
 * Shell lines, run by the launcher before the inner daemon starts, that make
 * a system container a Kubernetes node:
 * - `/` shared, so mounts the kubelet makes under `/var/lib/kubelet` reach the Pods' containers;
 * - the kernel settings the kubelet checks at their wanted values: under Sysbox
 *   they are the container's own (sysbox-fs keeps them per container); on the
 *   fallback, which shares the host's, each is shown to the node through a
 *   file bind-mounted over it, and the host's value is never written;
 * - on the fallback, `/proc/sys/net` (the node's own network namespace)
 *   writable, for kube-proxy and forwarding between Pods.
 */
export function kubernetesNodePreparation(underSysbox: boolean): string {
  const settings = Object.entries(KUBELET_KERNEL_SETTINGS)
    .map(([path, value]) => `${path}=${value}`)
    .join(' ');
  const applySettings = underSysbox
    ? [`for setting in ${settings}; do`, `  echo "\${setting#*=}" > "/proc/sys/\${setting%=*}"`, 'done']
    : [
        `mkdir -p ${SHOWN_SETTINGS_DIR}`,
        `for setting in ${settings}; do`,
        `  file=/proc/sys/\${setting%=*}`,
        `  shown=${SHOWN_SETTINGS_DIR}/$(echo "\${setting%=*}" | tr / _)`,
        `  echo "\${setting#*=}" > "$shown"`,
        '  mount --bind "$shown" "$file"',
        'done',
        'if ! (cat /proc/sys/net/ipv4/ip_forward > /proc/sys/net/ipv4/ip_forward) 2>/dev/null; then',
        '  mount --bind /proc/sys/net /proc/sys/net && mount -o remount,bind,rw /proc/sys/net',
        'fi',
      ];
  return [
    '# The kubernetes-node profile: what a kubelet needs in this system container.',
    'mount --make-rshared /',
    ...applySettings,
    'echo 1 > /proc/sys/net/ipv4/ip_forward',
  ].join('\n');
}
