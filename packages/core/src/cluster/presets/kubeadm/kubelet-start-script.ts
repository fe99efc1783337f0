/** Where the kubelet logs on a node without systemd (where the preset runs it). */
export const KUBELET_LOG = '/var/log/kubernetes/kubelet.log';

/**
 * A shell script that makes sure a kubelet runs once kubeadm has configured
 * it. On a node whose PID 1 is systemd with a `kubelet` service (kind's node
 * images), kubeadm (re)starts that service itself: the script only enables
 * it. Elsewhere (the busybox-based node image, no init system) it starts, in
 * the background, what systemd's kubeadm drop-in would: a loop that runs the
 * kubelet with the files `kubeadm init`/`join` write (`kubeadm-flags.env`,
 * `config.yaml`, `bootstrap-kubelet.conf`/`kubelet.conf`) as soon as they
 * exist, and runs it again a second after it exits (`Restart=always`).
 * Prints `systemd` or `supervised`: who runs the kubelet.
 */
export function kubeletStartScript(): string {
  return `set -eu
if [ "$(cat /proc/1/comm)" = systemd ] && command -v systemctl >/dev/null; then
  systemctl enable kubelet >/dev/null 2>&1 || true
  echo systemd
  exit 0
fi
mkdir -p "$(dirname ${KUBELET_LOG})"
cat > /usr/local/bin/sandkit-kubelet-supervisor <<'LOOP'
#!/bin/sh
while :; do
  if grep -qs '^KUBELET_KUBEADM_ARGS=".*"$' /var/lib/kubelet/kubeadm-flags.env && [ -s /var/lib/kubelet/config.yaml ]; then
    KUBELET_EXTRA_ARGS=
    . /var/lib/kubelet/kubeadm-flags.env
    [ -f /etc/default/kubelet ] && . /etc/default/kubelet
    kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf \\
      --config=/var/lib/kubelet/config.yaml $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
    echo "sandkit: the kubelet exited ($?), running it again" >&2
  fi
  sleep 1
done
LOOP
chmod 755 /usr/local/bin/sandkit-kubelet-supervisor
sandkit-kubelet-supervisor < /dev/null >> ${KUBELET_LOG} 2>&1 &
echo supervised
`;
}
