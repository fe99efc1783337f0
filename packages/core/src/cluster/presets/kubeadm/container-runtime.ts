/**
 * The container runtime a node's kubelet runs Pods through:
 * - `docker`: the node's inner Docker daemon (`docker: 'isolated'`), through
 *   the kubelet's dockershim;
 * - `containerd`: the node's own containerd (a kind-style node image with
 *   `docker: 'none'`), through its CRI plugin.
 */
export type KubeadmContainerRuntime = 'docker' | 'containerd';

/** Where a Docker daemon listens on a node. */
export const DOCKER_SOCKET = '/var/run/docker.sock';
/** Where containerd listens on a node (kind's node images and `@sandkit/host-setup`'s containerd node image). */
export const CONTAINERD_SOCKET = '/run/containerd/containerd.sock';

/**
 * kubeadm's `nodeRegistration.criSocket` for a runtime, or `undefined` for
 * Docker (kubeadm's default, dockershim's socket). From the socket kubeadm
 * writes the kubelet's `--container-runtime=remote
 * --container-runtime-endpoint=…` into `kubeadm-flags.env`. Pure.
 */
export function criSocket(runtime: KubeadmContainerRuntime): string | undefined {
  return runtime === 'containerd' ? `unix://${CONTAINERD_SOCKET}` : undefined;
}

/**
 * A shell script that prints the container runtime that answers on the node
 * (`docker` when a Docker daemon does: it is what dockershim needs, and
 * Docker's own containerd is not on {@link CONTAINERD_SOCKET}; else
 * `containerd`), waiting up to `timeoutSeconds` for one: a node whose image
 * brings its own init may still be starting its runtime (and importing its
 * images) when it is ready.
 */
export function containerRuntimeScript(timeoutSeconds: number): string {
  return `set -u
deadline=$(( $(date +%s) + ${timeoutSeconds} ))
while :; do
  if [ -S ${DOCKER_SOCKET} ] && docker version >/dev/null 2>&1; then echo docker; exit 0; fi
  if [ -S ${CONTAINERD_SOCKET} ] && ctr --address ${CONTAINERD_SOCKET} version >/dev/null 2>&1; then echo containerd; exit 0; fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "no container runtime answered within ${timeoutSeconds} s: neither a Docker daemon on ${DOCKER_SOCKET} nor containerd on ${CONTAINERD_SOCKET}" >&2
    exit 1
  fi
  sleep 0.5
done
`;
}
