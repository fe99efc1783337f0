import { CONTAINERD_SOCKET, type KubeadmContainerRuntime } from './container-runtime.js';

/** A shell function printing an image's name as containerd keeps it: Docker Hub's domain (and `library/`) made explicit. */
const FULLY_QUALIFIED = `fully_qualified() {
  case "$1" in
    */*) first=\${1%%/*} ;;
    *) echo "docker.io/library/$1"; return ;;
  esac
  case "$first" in
    *.*|*:*|localhost) echo "$1" ;;
    *) echo "docker.io/$1" ;;
  esac
}`;

/**
 * A shell script that fails, naming them, when images `kubeadm init` will run
 * (as `kubeadm config images list` names them for the configuration at
 * `config`) are not in the node's container runtime: its Docker daemon, or
 * containerd's `k8s.io` namespace (the kubelet's, where containerd names
 * `sandkit/pause:3.2` `docker.io/sandkit/pause:3.2`). CoreDNS's is left out:
 * the preset skips its addon. This stands in for kubeadm's `ImagePull`
 * preflight check, which the preset ignores (see `IGNORED_PREFLIGHT_CHECKS`).
 */
export function missingImagesScript(config: string, runtime: KubeadmContainerRuntime): string {
  const check =
    runtime === 'docker'
      ? {
          list: '',
          has: 'docker image inspect "$image" >/dev/null 2>&1',
          where: "the node's Docker daemon (seed them into every node)",
        }
      : {
          list: `${FULLY_QUALIFIED}
present=$(ctr --address ${CONTAINERD_SOCKET} -n k8s.io images ls -q)`,
          has: 'echo "$present" | grep -qxF "$(fully_qualified "$image")"',
          where: "the node's containerd, namespace k8s.io (bake them into the node image)",
        };
  return `set -eu
images=$(kubeadm config images list --config=${config})
${check.list}
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
