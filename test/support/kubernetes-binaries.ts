import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Kubernetes executables for node images: none can be installed from the registries here, so
 * the machines these tests run on keep a build of v1.20.2 next to the repository
 * (`SANDKIT_K8S_BINARIES` points elsewhere).
 */
export const KUBERNETES_BINARIES =
  process.env.SANDKIT_K8S_BINARIES ?? join(import.meta.dirname, '../../../shared/k8s/bin');

/** Why tests that need those executables cannot run here, or `undefined` when they can. */
export const noKubernetesBinaries =
  existsSync(join(KUBERNETES_BINARIES, 'kubelet.gz')) || existsSync(join(KUBERNETES_BINARIES, 'kubelet'))
    ? undefined
    : `needs Kubernetes executables in ${KUBERNETES_BINARIES} (set SANDKIT_K8S_BINARIES)`;

/** Why tests that need kubeadm among those executables cannot run here, or `undefined` when they can. */
export const noKubeadmBinaries =
  noKubernetesBinaries ??
  (existsSync(join(KUBERNETES_BINARIES, 'kubeadm.gz')) || existsSync(join(KUBERNETES_BINARIES, 'kubeadm'))
    ? undefined
    : `needs kubeadm among the Kubernetes executables in ${KUBERNETES_BINARIES}`);
