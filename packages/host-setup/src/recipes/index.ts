import { type Engine, SandkitError } from '@sandkit/core';
import { ensureEngine } from '../engine/ensure-engine.js';
import { buildOfflineImage, type ImageRecipe } from '../images/build-offline-image.js';
import { busyboxImage } from './busybox.js';
import { dindImage } from './dind.js';
import { httpdImage } from './httpd.js';
import {
  etcdImage,
  KUBEADM_IMAGE_REPOSITORY,
  type KubeadmImageSettings,
  kubeadmImageNames,
  kubeadmImageSettings,
  kubeProxyImage,
  kubernetesComponentImage,
} from './kubeadm-images.js';
import { kubernetesContainerdNodeImage } from './kubernetes-containerd-node.js';
import { kubernetesNodeImage } from './kubernetes-node.js';
import { pauseImage } from './pause.js';

/** References of the offline-built images, by role. */
export interface OfflineImages {
  /** busybox with every applet on PATH; its default command keeps running. */
  busybox: string;
  /** busybox httpd serving a test page, with a HEALTHCHECK. */
  httpd: string;
  /** A Docker daemon image from the host's docker.io binaries (a sandbox image for `docker: 'isolated'`). */
  dind: string;
}

/** Builds (or finds already built) every offline image; no registry involved. */
export async function buildOfflineImages(
  engine: Engine,
  log: (line: string) => void,
): Promise<OfflineImages> {
  const [busybox, httpd, dind] = await Promise.all([
    buildOfflineImage(engine, busyboxImage, { log }),
    buildOfflineImage(engine, httpdImage, { log }),
    buildOfflineImage(engine, dindImage, { log }),
  ]);
  return { busybox, httpd, dind };
}

/** A Docker engine that answers (installed and started if this host can) and the offline images built on it. */
export async function prepareHost(
  log: (line: string) => void,
): Promise<{ engine: Engine; images: OfflineImages }> {
  const engine = await ensureEngine({ log });
  return { engine, images: await buildOfflineImages(engine, log) };
}

/** References of the Kubernetes node images. */
export interface KubernetesImages {
  /** A node image (see {@link kubernetesNodeImage}). */
  node: string;
  /** The pause image every Pod's sandbox runs: seed it into the nodes. */
  pause: string;
}

/**
 * Builds (or finds) the Kubernetes node and pause images from a directory of
 * Kubernetes executables (see {@link kubernetesNodeImage}); no registry involved.
 */
export async function buildKubernetesImages(
  engine: Engine,
  binaries: string,
  log: (line: string) => void,
): Promise<KubernetesImages> {
  const [node, pause] = await Promise.all([
    buildOfflineImage(engine, kubernetesNodeImage(binaries), { log }),
    buildOfflineImage(engine, pauseImage(binaries), { log }),
  ]);
  return { node, pause };
}

/** References of the images a kubeadm cluster runs. */
export interface KubeadmImages {
  /** The node image (see {@link kubernetesNodeImage} or {@link kubernetesContainerdNodeImage}; it holds kubeadm). */
  node: string;
  /** The prefix kubeadm's `imageRepository` names the control-plane images with. */
  imageRepository: string;
  /** The Kubernetes version of the binaries (kubeadm's `kubernetesVersion`), e.g. `v1.20.2`. */
  kubernetesVersion: string;
  /** The tag of the etcd image (kubeadm's `etcd.local.imageTag`), the host's etcd version. */
  etcdImageTag: string;
  /**
   * Every image kubeadm runs on a node (control plane, kube-proxy, pause), as
   * kubeadm names them: seed them all into every node.
   */
  kubeadm: string[];
}

/**
 * Builds (or finds) the node image and every image kubeadm runs
 * (kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy,
 * etcd, pause; no CoreDNS), from a directory of Kubernetes executables and
 * the host's etcd, each tagged as kubeadm names it for
 * {@link KUBEADM_IMAGE_REPOSITORY}; no registry involved. The node runs Pods
 * through its inner Docker daemon (`docker: 'isolated'`): seed the images.
 */
export async function buildKubeadmImages(
  engine: Engine,
  binaries: string,
  log: (line: string) => void,
): Promise<KubeadmImages> {
  const [node, control] = await Promise.all([
    buildOfflineImage(engine, kubernetesNodeImage(binaries), { log }),
    buildKubeadmRunImages(engine, binaries, log),
  ]);
  return { node, imageRepository: KUBEADM_IMAGE_REPOSITORY, ...control.settings, kubeadm: control.names };
}

/** Options of {@link buildKubeadmContainerdImages}. */
export interface KubeadmContainerdImagesOptions {
  /**
   * More images (of the engine) to bake into the node image besides those
   * kubeadm runs: what the cluster's Pods run (`imagePullPolicy: Never`).
   * @default []
   */
  podImages?: readonly string[];
}

/**
 * Builds (or finds) every image kubeadm runs, as {@link buildKubeadmImages}
 * does, and a kind-style node image ({@link kubernetesContainerdNodeImage}:
 * its own init and containerd, no Docker daemon) with all of them, and
 * `options.podImages`, baked in and imported into containerd at boot. Run
 * its nodes with `docker: 'none'` and the `kubernetes-node` profile; there is
 * nothing to seed.
 */
export async function buildKubeadmContainerdImages(
  engine: Engine,
  binaries: string,
  log: (line: string) => void,
  options: KubeadmContainerdImagesOptions = {},
): Promise<KubeadmImages> {
  const control = await buildKubeadmRunImages(engine, binaries, log);
  const pauseImage = control.names.find((name) => name.includes('/pause:')) as string;
  const node = await buildOfflineImage(
    engine,
    kubernetesContainerdNodeImage(binaries, {
      engine,
      images: [...control.names, ...(options.podImages ?? [])],
      pauseImage,
    }),
    { log },
  );
  return { node, imageRepository: KUBEADM_IMAGE_REPOSITORY, ...control.settings, kubeadm: control.names };
}

/** Builds (or finds) every image kubeadm runs, tagged as kubeadm names them; says the names and the tags kubeadm is configured with. */
async function buildKubeadmRunImages(
  engine: Engine,
  binaries: string,
  log: (line: string) => void,
): Promise<{ settings: KubeadmImageSettings; names: string[] }> {
  const settings = await kubeadmImageSettings(binaries);
  const names = await kubeadmImageNames(binaries, settings);
  const recipes: Record<string, ImageRecipe> = {
    'kube-apiserver': kubernetesComponentImage(binaries, 'kube-apiserver'),
    'kube-controller-manager': kubernetesComponentImage(binaries, 'kube-controller-manager'),
    'kube-scheduler': kubernetesComponentImage(binaries, 'kube-scheduler'),
    'kube-proxy': kubeProxyImage(binaries),
    etcd: etcdImage,
    pause: pauseImage(binaries),
  };
  const tagged = await Promise.all(
    Object.entries(recipes).map(async ([component, recipe]) => {
      const name = names[component];
      if (!name)
        throw new SandkitError(`kubeadm names no ${component} image`, {}, Object.values(names).join('\n'));
      const built = await buildOfflineImage(engine, recipe, { log });
      const tag = name.slice(name.lastIndexOf(':') + 1);
      await engine.docker.getImage(built).tag({ repo: name.slice(0, name.lastIndexOf(':')), tag });
      return name;
    }),
  );
  return { settings, names: tagged };
}
