// Where the containerd node image's containerd listens (the kubeadm preset's, too).
export { CONTAINERD_SOCKET } from '@sandkit/core/runtime';
export { type EnsureEngineOptions, ensureEngine } from './engine/ensure-engine.js';
export {
  type BuildOfflineImageOptions,
  buildOfflineImage,
  type ImageRecipe,
  INPUTS_HASH_LABEL,
} from './images/build-offline-image.js';
export { copyHostBinaries, sharedLibraries } from './images/copy-host-binaries.js';
export { hashDirectory } from './images/hash-directory.js';
export {
  canInstallDebianPackages,
  type EnsureDebianPackagesOptions,
  ensureDebianPackages,
} from './packages/ensure-debian-packages.js';
export { busyboxImage } from './recipes/busybox.js';
export { dindImage } from './recipes/dind.js';
export { HTTPD_PAGE, HTTPD_PORT, httpdImage } from './recipes/httpd.js';
export {
  buildKubeadmContainerdImages,
  buildKubeadmImages,
  buildKubernetesImages,
  buildOfflineImages,
  type KubeadmContainerdImagesOptions,
  type KubeadmImages,
  type KubernetesImages,
  type OfflineImages,
  prepareHost,
} from './recipes/index.js';
export {
  etcdImage,
  KUBEADM_IMAGE_REPOSITORY,
  kubeProxyImage,
  kubernetesComponentImage,
} from './recipes/kubeadm-images.js';
export {
  BAKED_IMAGES_DIR,
  type ContainerdNodeImageOptions,
  kubernetesContainerdNodeImage,
} from './recipes/kubernetes-containerd-node.js';
export { KUBERNETES_NODE_RUNC, kubernetesNodeImage } from './recipes/kubernetes-node.js';
export { pauseImage } from './recipes/pause.js';
