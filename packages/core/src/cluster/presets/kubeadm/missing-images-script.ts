import { criSocket, type KubeadmContainerRuntime } from './container-runtime.js';

/**
 * A shell script that fails, naming them, when images `kubeadm init` will run
 * (as `kubeadm config images list` names them for the configuration at
 * `config`) are not in the node's container runtime: its Docker daemon, or
 * what the CRI runtime on `criSocket` says through `crictl inspecti` (which
 * kubeadm v1.20 needs on such nodes anyway). CoreDNS's is left out:
 * the preset skips its addon. This stands in for kubeadm's `ImagePull`
 * preflight check, which the preset ignores (see `IGNORED_PREFLIGHT_CHECKS`).
 */
export function missingImagesScript(config: string, runtime: KubeadmContainerRuntime): string {
  const check =
    runtime === 'docker'
      ? {
          has: 'docker image inspect "$image" >/dev/null 2>&1',
          where: "the node's Docker daemon (seed them into every node)",
        }
      : {
          has: `crictl -r ${criSocket(runtime)} inspecti "$image" >/dev/null 2>&1`,
          where: "the node's containerd (bring them in the node image)",
        };
  return `set -eu
images=$(kubeadm config images list --config=${config})
missing=
for image in $images; do
  case "$image" in */coredns:*) continue ;; esac
  ${check.has} || missing="$missing $image"
done
if [ -n "$missing" ]; then
  echo "images kubeadm runs are not in ${check.where}:$missing" >&2
  exit 1
fi
`;
}
