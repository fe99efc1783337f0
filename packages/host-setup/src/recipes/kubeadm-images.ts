import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandkitError } from '@sandkit/core';
import { execa } from 'execa';
import type { ImageRecipe } from '../images/build-offline-image.js';
import { copyHostBinaries } from '../images/copy-host-binaries.js';
import { writeRootfsDockerfile } from '../images/rootfs-dockerfile.js';
import { HOST_BUSYBOX, layBusyboxRootfs } from './busybox-rootfs.js';
import { layLegacyIptables } from './dind.js';
import { copyKubernetesBinaries } from './kubernetes-binaries.js';

/**
 * The repository prefix of the control-plane images kubeadm runs, as its
 * `imageRepository` names them (`sandkit/kube-apiserver:v1.20.2`, …).
 */
export const KUBEADM_IMAGE_REPOSITORY = 'sandkit';

/** Host path of Debian's etcd (package `etcd-server`). */
const HOST_ETCD = '/usr/bin/etcd';
/** Host path of Debian's conntrack (kube-proxy clears UDP flows with it). */
export const HOST_CONNTRACK = '/usr/sbin/conntrack';

/**
 * The image of one control-plane component kubeadm runs as a static Pod
 * (`kube-apiserver`, `kube-controller-manager`, `kube-scheduler`): the static
 * executable from `binaries` alone, at `/usr/local/bin/<name>`.
 */
export function kubernetesComponentImage(binaries: string, name: string): ImageRecipe {
  return {
    repository: `${KUBEADM_IMAGE_REPOSITORY}/${name}`,
    async prepare(dir) {
      await mkdir(join(dir, 'rootfs/usr/local/bin'), { recursive: true });
      await copyKubernetesBinaries(binaries, [name], join(dir, 'rootfs/usr/local/bin'));
      await writeRootfsDockerfile(dir);
    },
  };
}

/**
 * kube-proxy's image (kubeadm runs it as a DaemonSet): the static executable
 * from `binaries` at `/usr/local/bin/kube-proxy`, with what its iptables mode
 * calls: busybox, iptables (legacy backend) and conntrack from the host.
 */
export function kubeProxyImage(binaries: string): ImageRecipe {
  return {
    repository: `${KUBEADM_IMAGE_REPOSITORY}/kube-proxy`,
    hostFiles: {
      [HOST_BUSYBOX]: 'busybox-static',
      '/usr/sbin/xtables-legacy-multi': 'iptables',
      [HOST_CONNTRACK]: 'conntrack',
    },
    async prepare(dir) {
      const rootfs = join(dir, 'rootfs');
      await mkdir(join(rootfs, 'usr/local/bin'), { recursive: true });
      await layBusyboxRootfs(rootfs);
      await layLegacyIptables(rootfs);
      await copyHostBinaries(rootfs, [HOST_CONNTRACK]);
      await copyKubernetesBinaries(binaries, ['kube-proxy'], join(rootfs, 'usr/local/bin'));
      await writeRootfsDockerfile(dir);
    },
  };
}

/** etcd's image (kubeadm's local etcd, a static Pod): the host's etcd and its libraries. */
export const etcdImage: ImageRecipe = {
  repository: `${KUBEADM_IMAGE_REPOSITORY}/etcd`,
  hostFiles: { [HOST_ETCD]: 'etcd-server' },
  async prepare(dir) {
    const rootfs = join(dir, 'rootfs');
    await mkdir(join(rootfs, 'var/lib/etcd'), { recursive: true });
    await mkdir(join(rootfs, 'tmp'), { recursive: true });
    await copyHostBinaries(rootfs, [HOST_ETCD]);
    await writeRootfsDockerfile(dir);
  },
};

/** What kubeadm's ClusterConfiguration needs to name the images {@link kubeadmImageNames} lists. */
export interface KubeadmImageSettings {
  /** e.g. `v1.20.2`: the tag of the Kubernetes components' images. */
  kubernetesVersion: string;
  /** e.g. `3.4.23`: the tag of the etcd image. */
  etcdImageTag: string;
}

/**
 * The version of the kubeadm in `binaries` (`kubeadm version -o short`) and
 * the version of the host's etcd: the tags kubeadm will look for.
 */
export async function kubeadmImageSettings(binaries: string): Promise<KubeadmImageSettings> {
  return withKubeadm(binaries, async (kubeadm) => {
    const { stdout: version } = await execa(kubeadm, ['version', '-o', 'short']);
    const { stdout: etcd } = await execa(HOST_ETCD, ['--version']);
    const etcdVersion = /etcd Version: (\S+)/.exec(etcd)?.[1];
    if (!etcdVersion) throw new SandkitError(`Cannot read the version of ${HOST_ETCD}`, {}, etcd);
    return { kubernetesVersion: version.trim(), etcdImageTag: etcdVersion };
  });
}

/**
 * The images kubeadm in `binaries` runs, by component (`kube-apiserver`,
 * `etcd`, `pause`, …), as `kubeadm config images list` names them for
 * {@link KUBEADM_IMAGE_REPOSITORY} and `settings`.
 */
export async function kubeadmImageNames(
  binaries: string,
  settings: KubeadmImageSettings,
): Promise<Record<string, string>> {
  return withKubeadm(binaries, async (kubeadm, dir) => {
    const config = join(dir, 'images.yaml');
    await writeFile(
      config,
      [
        'apiVersion: kubeadm.k8s.io/v1beta2',
        'kind: ClusterConfiguration',
        `kubernetesVersion: ${settings.kubernetesVersion}`,
        `imageRepository: ${KUBEADM_IMAGE_REPOSITORY}`,
        `etcd: {local: {imageRepository: ${KUBEADM_IMAGE_REPOSITORY}, imageTag: '${settings.etcdImageTag}'}}`,
        '',
      ].join('\n'),
    );
    const { stdout } = await execa(kubeadm, ['config', 'images', 'list', `--config=${config}`]);
    const names = stdout.split('\n').filter((line) => line.startsWith(`${KUBEADM_IMAGE_REPOSITORY}/`));
    return Object.fromEntries(
      names.map((name) => [name.slice(name.indexOf('/') + 1, name.lastIndexOf(':')), name]),
    );
  });
}

/** Runs `use` with the kubeadm from `binaries` unpacked in a temporary directory. */
async function withKubeadm<T>(
  binaries: string,
  use: (kubeadm: string, dir: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sandkit-kubeadm-'));
  try {
    await copyKubernetesBinaries(binaries, ['kubeadm'], dir);
    return await use(join(dir, 'kubeadm'), dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
