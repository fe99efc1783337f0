import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Engine } from '@sandkit/core';
import { CONTAINERD_SOCKET, saveImages } from '@sandkit/core/runtime';
import type { ImageRecipe } from '../images/build-offline-image.js';
import { copyHostBinaries } from '../images/copy-host-binaries.js';
import { writeRootfsDockerfile } from '../images/rootfs-dockerfile.js';
import { HOST_BUSYBOX, layBusyboxRootfs } from './busybox-rootfs.js';
import { layLegacyIptables } from './dind.js';
import { HOST_CONNTRACK } from './kubeadm-images.js';
import { copyKubernetesBinaries } from './kubernetes-binaries.js';
import { CNI_PLUGIN_FILES, layCniPlugins } from './kubernetes-node.js';

/** Host executables (Debian's containerd and runc) of the node's container runtime, `ctr` included. */
const CONTAINERD_BINARIES: Record<string, string> = {
  '/usr/bin/containerd': 'containerd',
  '/usr/bin/containerd-shim-runc-v2': 'containerd',
  '/usr/bin/ctr': 'containerd',
  '/usr/sbin/runc': 'runc',
};
/** The Kubernetes executables a kubeadm node runs itself (the control plane runs from images). */
const NODE_KUBERNETES_BINARIES = ['kubelet', 'kubeadm', 'kubectl'] as const;

/** Where the node image keeps the images it imports into containerd at boot (`docker save` archives), as kind's did. */
export const BAKED_IMAGES_DIR = '/kind/images';
/** Where the node's boot logs importing the baked images. */
const IMAGE_IMPORT_LOG = '/var/log/sandkit-image-import.log';
/** containerd's log on the node. */
const CONTAINERD_LOG = '/var/log/containerd.log';

/** The private socket the boot imports through, so that {@link CONTAINERD_SOCKET} answers only once every image is in. */
const IMPORT_SOCKET = '/run/sandkit-import/containerd.sock';

/** Options of {@link kubernetesContainerdNodeImage}. */
export interface ContainerdNodeImageOptions {
  /** The engine the images to bake are saved from. */
  engine: Engine;
  /**
   * The images the node imports into containerd's `k8s.io` namespace at
   * boot (the control plane's, kube-proxy's, the pause image, and whatever
   * Pods should run): nothing is pulled.
   */
  images: readonly string[];
  /** The pause image containerd runs as every Pod's sandbox (`sandbox_image`), as kubeadm names it, e.g. `sandkit/pause:3.2`. */
  pauseImage: string;
}

/**
 * containerd's configuration: the CRI plugin on, runc through the v2 shim
 * with cgroupfs (as the kubelet), no AppArmor profile (a system container
 * cannot load one), Pods' `oomScoreAdj` kept at or above containerd's own
 * (an unprivileged container may not lower it), the CNI plugins and
 * configuration where the Pod network puts them.
 */
function containerdConfig(pauseImage: string): string {
  return `version = 2

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${JSON.stringify(pauseImage)}
  disable_apparmor = true
  restrict_oom_score_adj = true

[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = false

[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "/opt/cni/bin"
  conf_dir = "/etc/cni/net.d"
`;
}

/**
 * The boot's one-time step (busybox init's `sysinit`): imports the baked
 * images into containerd's `k8s.io` namespace through a containerd of its
 * own on a private socket, then stops it, so the node's containerd (started
 * next, and respawned, by init) answers on its socket only once they are all
 * there. Skipped on later boots of the same `/var`.
 */
const IMPORT_IMAGES_SCRIPT = `#!/bin/sh
set -u
imported=/var/lib/containerd/.sandkit-images-imported
[ -e "$imported" ] && exit 0
mkdir -p /var/log /var/lib/containerd "$(dirname ${IMPORT_SOCKET})"
exec >> ${IMAGE_IMPORT_LOG} 2>&1
containerd --config /etc/containerd/config.toml --address ${IMPORT_SOCKET} &
importer=$!
tries=0
until ctr --address ${IMPORT_SOCKET} version >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -gt 300 ]; then
    echo "sandkit: containerd did not answer on ${IMPORT_SOCKET} within 60 s; no images imported"
    kill "$importer"
    exit 1
  fi
  sleep 0.2
done
started=$(date +%s)
failed=0
for archive in ${BAKED_IMAGES_DIR}/*.tar; do
  ctr --address ${IMPORT_SOCKET} -n k8s.io images import "$archive" || failed=1
done
echo "sandkit: imported ${BAKED_IMAGES_DIR} in $(( $(date +%s) - started )) s (failed: $failed)"
kill "$importer"
wait "$importer"
[ "$failed" = 0 ] && touch "$imported"
exit 0
`;

/**
 * What the node has in place of crictl (no package here has it): the two
 * commands kubeadm v1.20 runs on a CRI node, over `ctr` — `info` (is the
 * runtime up: preflight's `CRI` check) and `inspecti IMAGE` (is an image
 * there, by the name kubeadm gives it, which containerd keeps with Docker
 * Hub's domain made explicit: `sandkit/pause:3.2` is
 * `docker.io/sandkit/pause:3.2`). Anything else (`pull`: there is no
 * registry; `ps`, `rm`: `kubeadm reset`) fails, saying so.
 */
const CRICTL_STAND_IN = `#!/bin/sh
socket=${CONTAINERD_SOCKET}
while [ $# -gt 0 ]; do
  case "$1" in
    -r|--runtime-endpoint) socket=\${2#unix://}; shift 2 ;;
    *) break ;;
  esac
done
command=\${1:-}
case "$command" in
  info) exec ctr --address "$socket" version ;;
  inspecti)
    image=\${2:?inspecti needs an image}
    case "$image" in
      */*) first=\${image%%/*} ;;
      *) first= ; image=library/$image ;;
    esac
    case "$first" in
      *.*|*:*|localhost) ;;
      *) image=docker.io/$image ;;
    esac
    ctr --address "$socket" -n k8s.io images ls -q | grep -qxF "$image" || { echo "no image $image" >&2; exit 1; }
    echo "$image"
    ;;
  *)
    echo "crictl $command: not in this node's crictl, a stand-in over ctr that does only info and inspecti (what kubeadm's preflight runs)" >&2
    exit 1
    ;;
esac
`;

/** The node's containerd, as init (re)starts it, logging to {@link CONTAINERD_LOG}. */
const CONTAINERD_SCRIPT = `#!/bin/sh
mkdir -p /var/log
exec containerd --config /etc/containerd/config.toml >> ${CONTAINERD_LOG} 2>&1
`;

/** busybox init's table: import the baked images once, then keep containerd running. */
const INITTAB = `::sysinit:/usr/local/sbin/sandkit-import-images
::respawn:/usr/local/sbin/sandkit-containerd
::ctrlaltdel:/bin/true
`;

/**
 * A kind-style Kubernetes node image, built offline: static busybox, whose
 * `init` is the image's PID 1 (`/etc/inittab`), Debian's containerd (CRI
 * plugin, shim, runc, `ctr`), the CNI plugins, iptables (legacy) and
 * conntrack, kubelet, kubeadm and kubectl from `binaries`, and a `crictl`
 * doing what kubeadm asks of it over `ctr`; no Docker daemon. At boot, init imports the images baked into
 * {@link BAKED_IMAGES_DIR} (`options.images`, saved from `options.engine`)
 * into containerd's `k8s.io` namespace, then starts containerd on
 * {@link CONTAINERD_SOCKET} and keeps it running. Run it with `docker:
 * 'none'` and the `kubernetes-node` profile.
 */
export function kubernetesContainerdNodeImage(
  binaries: string,
  options: ContainerdNodeImageOptions,
): ImageRecipe {
  return {
    repository: 'sandkit/kubernetes-containerd-node',
    hostFiles: {
      [HOST_BUSYBOX]: 'busybox-static',
      ...CONTAINERD_BINARIES,
      '/usr/sbin/xtables-legacy-multi': 'iptables',
      [HOST_CONNTRACK]: 'conntrack',
      ...CNI_PLUGIN_FILES,
    },
    async prepare(dir) {
      const rootfs = join(dir, 'rootfs');
      await mkdir(join(rootfs, 'usr/local/bin'), { recursive: true });
      await mkdir(join(rootfs, 'usr/local/sbin'), { recursive: true });
      await layBusyboxRootfs(rootfs);
      await copyHostBinaries(rootfs, [...Object.keys(CONTAINERD_BINARIES), HOST_CONNTRACK]);
      await layLegacyIptables(rootfs);
      await layCniPlugins(rootfs);
      await copyKubernetesBinaries(binaries, NODE_KUBERNETES_BINARIES, join(rootfs, 'usr/local/bin'));
      await mkdir(join(rootfs, 'etc/containerd'), { recursive: true });
      await writeFile(join(rootfs, 'etc/containerd/config.toml'), containerdConfig(options.pauseImage));
      await writeFile(join(rootfs, 'etc/inittab'), INITTAB);
      await writeFile(join(rootfs, 'usr/local/sbin/sandkit-import-images'), IMPORT_IMAGES_SCRIPT, {
        mode: 0o755,
      });
      await writeFile(join(rootfs, 'usr/local/sbin/sandkit-containerd'), CONTAINERD_SCRIPT, { mode: 0o755 });
      await writeFile(join(rootfs, 'usr/local/bin/crictl'), CRICTL_STAND_IN, { mode: 0o755 });
      await mkdir(join(rootfs, BAKED_IMAGES_DIR), { recursive: true });
      // One archive per image: the engine saves one image the same way every time (several in one
      // archive, not), so the image's inputs hash, and the build is found again, as long as they are the same.
      for (const image of options.images)
        await pipeline(
          await saveImages(options.engine, [image]),
          createWriteStream(join(rootfs, BAKED_IMAGES_DIR, `${image.replace(/[^\w.-]/g, '_')}.tar`)),
        );
      await writeRootfsDockerfile(dir, ['CMD ["/bin/init"]']);
    },
  };
}
