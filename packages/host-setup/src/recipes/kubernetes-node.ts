import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { LINUX_CAPABILITIES } from '@sandkit/core/runtime';
import type { ImageRecipe } from '../images/build-offline-image.js';
import { copyHostBinaries } from '../images/copy-host-binaries.js';
import { writeRootfsDockerfile } from '../images/rootfs-dockerfile.js';
import { HOST_BUSYBOX } from './busybox-rootfs.js';
import { DAEMON_BINARIES, DAEMON_CMD, layDaemonRootfs } from './dind.js';
import { copyKubernetesBinaries, KUBERNETES_BINARIES } from './kubernetes-binaries.js';

/** What a node runs besides Docker and Kubernetes: etcd, certificates, conntrack, CNI plugins. */
const NODE_BINARIES: Record<string, string> = {
  '/usr/bin/etcd': 'etcd-server',
  '/usr/bin/openssl': 'openssl',
  '/usr/sbin/conntrack': 'conntrack',
};
const CNI_PLUGINS = ['bridge', 'host-local', 'loopback', 'portmap'].map((p) => `/usr/lib/cni/${p}`);

/** The host's CNI plugins a node's Pod network uses, each with its Debian package (an {@link ImageRecipe}'s `hostFiles`). */
export const CNI_PLUGIN_FILES: Record<string, string> = Object.fromEntries(
  CNI_PLUGINS.map((p) => [p, 'containernetworking-plugins']),
);

/** Copies the host's CNI plugins (bridge, host-local, loopback, portmap) to `rootfs`'s `/opt/cni/bin`, with an empty `/etc/cni/net.d`. */
export async function layCniPlugins(rootfs: string): Promise<void> {
  await mkdir(join(rootfs, 'opt/cni/bin'), { recursive: true });
  for (const plugin of CNI_PLUGINS) await copyFile(plugin, join(rootfs, 'opt/cni/bin', basename(plugin)));
  await mkdir(join(rootfs, 'etc/cni/net.d'), { recursive: true });
}

/**
 * Path, in the node image, of the OCI runtime its inner Docker daemon uses
 * (the image's /etc/docker/daemon.json makes it the default): runc, with two
 * changes to each container's spec an unprivileged system container needs:
 * - minus the negative `oomScoreAdj` the kubelet asks for Pod sandboxes
 *   (-998), which it may not set (runc then fails to start every Pod);
 *   raising a score stays allowed;
 * - minus the capabilities outside the node's own bounding set, which no
 *   process in it can grant: a privileged container (kubeadm's kube-proxy)
 *   asks for every capability the daemon knows, and runc fails ("unable to
 *   apply caps") where the host lacks one. Newer Docker daemons do the same
 *   for `--privileged`.
 */
export const KUBERNETES_NODE_RUNC = '/usr/local/bin/sandkit-runc';

const RUNC_FOR_SYSTEM_CONTAINERS = `#!/bin/sh
bundle=
previous=
for argument in "$@"; do
  case "$previous" in --bundle|-b) bundle=$argument ;; esac
  previous=$argument
done
if [ -n "$bundle" ] && [ -f "$bundle/config.json" ]; then
  sed -i -e 's/,"oomScoreAdj":-[0-9]*//' -e 's/"oomScoreAdj":-[0-9]*,\\{0,1\\}//' "$bundle/config.json"
  bounding=0x$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)
  index=0
  for name in ${LINUX_CAPABILITIES.join(' ')}; do
    if [ $(( (bounding >> index) & 1 )) = 0 ]; then
      sed -i -e "s/\\"CAP_$name\\",//g" -e "s/,\\{0,1\\}\\"CAP_$name\\"//g" "$bundle/config.json"
    fi
    index=$((index + 1))
  done
fi
exec /usr/sbin/runc "$@"
`;

/**
 * A Kubernetes node image for system containers: the dind image's Docker
 * daemon (kubelet v1.20 runs Pods through it, with dockershim), etcd, openssl,
 * conntrack and the CNI plugins from the host's Debian packages, and the
 * Kubernetes executables from `binaries` (a directory holding
 * kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
 * kube-proxy, kubectl and kubeadm, plain or gzipped). Built offline, like the others.
 */
export function kubernetesNodeImage(binaries: string): ImageRecipe {
  return {
    repository: 'sandkit/kubernetes-node',
    hostFiles: {
      [HOST_BUSYBOX]: 'busybox-static',
      ...DAEMON_BINARIES,
      ...NODE_BINARIES,
      ...CNI_PLUGIN_FILES,
    },
    async prepare(dir) {
      const rootfs = join(dir, 'rootfs');
      await layDaemonRootfs(rootfs);
      await copyHostBinaries(rootfs, Object.keys(NODE_BINARIES));
      await layCniPlugins(rootfs);
      await mkdir(join(rootfs, 'usr/local/bin'), { recursive: true });
      await copyKubernetesBinaries(binaries, KUBERNETES_BINARIES, join(rootfs, 'usr/local/bin'));
      await writeFile(join(rootfs, KUBERNETES_NODE_RUNC), RUNC_FOR_SYSTEM_CONTAINERS, { mode: 0o755 });
      await mkdir(join(rootfs, 'etc/docker'), { recursive: true });
      await writeFile(
        join(rootfs, 'etc/docker/daemon.json'),
        `${JSON.stringify({ runtimes: { sandkit: { path: KUBERNETES_NODE_RUNC } }, 'default-runtime': 'sandkit' }, null, 2)}\n`,
      );
      await writeRootfsDockerfile(dir, [DAEMON_CMD]);
    },
  };
}
