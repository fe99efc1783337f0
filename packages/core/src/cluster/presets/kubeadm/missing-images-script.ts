/**
 * A shell script that fails, naming them, when images `kubeadm init` will run
 * (as `kubeadm config images list` names them for the configuration at
 * `config`) are not in the node's Docker daemon. CoreDNS's is left out: the
 * preset skips its addon. This stands in for kubeadm's `ImagePull`
 * preflight check, which the preset ignores (see `IGNORED_PREFLIGHT_CHECKS`).
 */
export function missingImagesScript(config: string): string {
  return `set -eu
images=$(kubeadm config images list --config=${config})
missing=
for image in $images; do
  case "$image" in */coredns:*) continue ;; esac
  docker image inspect "$image" >/dev/null 2>&1 || missing="$missing $image"
done
if [ -n "$missing" ]; then
  echo "images kubeadm runs are not in the node's Docker daemon (seed them into every node):$missing" >&2
  exit 1
fi
`;
}
