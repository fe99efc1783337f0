import type { NodeAddress } from './node-script.js';

/**
 * A shell script that gives a node's Pods their network: a CNI bridge
 * (`cni0`, masquerading what leaves the node) on the node's slice of the Pod
 * range, bridged traffic through iptables (for kube-proxy's Service rules),
 * and a route to each other node's slice through that node's cluster
 * address. Shared by the kubernetes and kubeadm presets.
 */
export function podNetworkScript(node: NodeAddress, peers: readonly NodeAddress[]): string {
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
  return `set -eu
sysctl -w net.bridge.bridge-nf-call-iptables=1 >/dev/null 2>&1 || true
mkdir -p /etc/cni/net.d
echo '${cni}' > /etc/cni/net.d/10-sandkit.conflist
${peers.map((peer) => `ip route replace ${peer.podCidr} via ${peer.address}`).join('\n')}
`;
}
