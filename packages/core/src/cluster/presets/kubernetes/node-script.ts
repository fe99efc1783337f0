import { LOG_DIR, NODE_KUBECONFIG } from './control-plane-script.js';

/** A node's place in the cluster: its name, address and slice of the Pod range. */
export interface NodeAddress {
  name: string;
  address: string;
  podCidr: string;
}

/** What one node's kubelet and kube-proxy are started with. */
export interface NodeInputs {
  node: NodeAddress;
  /** Every other node: Pods reach theirs through a route to its address. */
  peers: NodeAddress[];
  /** The whole Pod range (kube-proxy masquerades traffic from outside it). */
  clusterPodCidr: string;
  /** The image of every Pod's sandbox container, present in the node's Docker daemon. */
  pauseImage: string;
  /** Taints the node registers with, e.g. `node-role.kubernetes.io/master=:NoSchedule`. */
  taints: string[];
}

/**
 * A shell script that makes a node of a system container whose inner Docker
 * daemon runs: shared mount propagation, a `/dev/kmsg` (null, as Sysbox's), the
 * kernel settings the kubelet checks (without changing the host's), a CNI bridge on the node's Pod slice
 * with routes to the other nodes' slices, then kubelet (dockershim on the
 * inner daemon, cgroupfs) and kube-proxy (iptables mode, leaving the host's
 * conntrack settings alone) in the background.
 */
export function nodeScript({ node, peers, clusterPodCidr, pauseImage, taints }: NodeInputs): string {
  const cni = JSON.stringify({
    cniVersion: '0.4.0',
    name: 'sandkit',
    plugins: [
      {
        type: 'bridge',
        bridge: 'cni0',
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: node.podCidr }]], routes: [{ dst: '0.0.0.0/0' }] },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  });
  const kubeletConfig = [
    'apiVersion: kubelet.config.k8s.io/v1beta1',
    'kind: KubeletConfiguration',
    'cgroupDriver: cgroupfs',
    'failSwapOn: false',
    `podCIDR: ${node.podCidr}`,
    'authentication: {anonymous: {enabled: true}, webhook: {enabled: false}}',
    'authorization: {mode: AlwaysAllow}',
    "evictionHard: {memory.available: '0%', nodefs.available: '0%', imagefs.available: '0%'}",
    'clusterDomain: cluster.local',
  ].join('\n');
  return `set -eu
mkdir -p ${LOG_DIR} /var/lib/kubelet /etc/cni/net.d
mount --make-rshared /
# The kubelet reads kernel messages for OOM events; Sysbox gives a null /dev/kmsg, the fallback none.
[ -e /dev/kmsg ] || ln -s /dev/null /dev/kmsg
# The kubelet sets these kernel settings unless they already have its values. Under Sysbox they are
# the node's own; where /proc/sys is read-only (the fallback shares the host's), the node is shown
# the values the kubelet wants, and the host's stay as they are.
mkdir -p /run/sandkit-sysctl
for setting in kernel/panic=10 kernel/panic_on_oops=1 vm/overcommit_memory=1; do
  file=/proc/sys/\${setting%=*}
  value=\${setting#*=}
  [ "$(cat "$file")" = "$value" ] && continue
  if ! (cat "$file" > "$file") 2>/dev/null; then
    shown=/run/sandkit-sysctl/$(echo "\${setting%=*}" | tr / _)
    echo "$value" > "$shown"
    mount --bind "$shown" "$file"
  fi
done
# Network settings are the node's own (its network namespace): where /proc/sys is read-only (the
# fallback), /proc/sys/net alone is made writable, for kube-proxy (route_localnet) and forwarding.
if ! (cat /proc/sys/net/ipv4/ip_forward > /proc/sys/net/ipv4/ip_forward) 2>/dev/null; then
  mount --bind /proc/sys/net /proc/sys/net && mount -o remount,bind,rw /proc/sys/net
fi
sysctl -w net.ipv4.ip_forward=1 >/dev/null 2>&1 || true
sysctl -w net.bridge.bridge-nf-call-iptables=1 >/dev/null 2>&1 || true
echo '${cni}' > /etc/cni/net.d/10-sandkit.conflist
${peers.map((peer) => `ip route replace ${peer.podCidr} via ${peer.address}`).join('\n')}
cat > /var/lib/kubelet/config.yaml <<'YAML'
${kubeletConfig}
YAML
start() { name=$1; shift; "$@" < /dev/null > ${LOG_DIR}/$name.log 2>&1 & }
start kubelet kubelet --config=/var/lib/kubelet/config.yaml --kubeconfig=${NODE_KUBECONFIG} \\
  --container-runtime=docker --network-plugin=cni --cni-bin-dir=/opt/cni/bin --cni-conf-dir=/etc/cni/net.d \\
  --pod-infra-container-image=${pauseImage} --hostname-override=${node.name} --node-ip=${node.address} \\
  ${taints.length ? `--register-with-taints=${taints.join(',')}` : ''}
start kube-proxy kube-proxy --kubeconfig=${NODE_KUBECONFIG} --proxy-mode=iptables --hostname-override=${node.name} \\
  --cluster-cidr=${clusterPodCidr} --conntrack-max-per-core=0 \\
  --conntrack-tcp-timeout-established=0 --conntrack-tcp-timeout-close-wait=0
`;
}
