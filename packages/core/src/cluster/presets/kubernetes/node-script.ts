import { LOG_DIR, NODE_KUBECONFIG } from './control-plane-script.js';
import { podNetworkScript } from './pod-network-script.js';

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
 * A shell script that starts a node in a system container of the
 * `kubernetes-node` profile (which gave it shared mounts, `/dev/kmsg`, its
 * cgroups and kernel settings) whose inner Docker daemon runs: a CNI bridge
 * on the node's Pod slice with routes to the other nodes' slices, then
 * kubelet (dockershim on the inner daemon, cgroupfs) and kube-proxy
 * (iptables mode, leaving the host's conntrack settings alone) in the background.
 */
export function nodeScript({ node, peers, clusterPodCidr, pauseImage, taints }: NodeInputs): string {
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
mkdir -p ${LOG_DIR} /var/lib/kubelet
${podNetworkScript(node, peers)}cat > /var/lib/kubelet/config.yaml <<'YAML'
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
