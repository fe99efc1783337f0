import { criSocket, type KubeadmContainerRuntime } from './container-runtime.js';
import type { JoinCredentials } from './join-command.js';

/** Where the kubeadm configuration is written on each node. */
export const KUBEADM_CONFIG = '/etc/kubernetes/sandkit-kubeadm.yaml';

/**
 * Preflight checks that cannot pass on these nodes, each named (never `all`):
 * - `ImagePull`: kubeadm v1.20 pulls CoreDNS's image even when the
 *   `addon/coredns` phase is skipped, and there is no CoreDNS image (nor a
 *   registry) here. The preset checks every other image kubeadm runs itself,
 *   before `kubeadm init`.
 */
export const IGNORED_PREFLIGHT_CHECKS = ['ImagePull'] as const;

/** The node-specific part of kubeadm's configuration. */
export interface NodeRegistration {
  /** The Node's name (the cluster node's name). */
  name: string;
  /** The node's cluster address: the kubelet's node IP. */
  address: string;
  /** What the node's kubelet runs Pods through (kubeadm's `criSocket`). */
  runtime: KubeadmContainerRuntime;
}

/** What {@link initConfiguration} is made from. */
export interface InitInputs extends NodeRegistration {
  kubernetesVersion: string;
  imageRepository: string;
  etcdImageTag: string;
  podCidr: string;
  serviceCidr: string;
  /** Whether the control-plane node keeps kubeadm's `NoSchedule` taint. */
  taintControlPlane: boolean;
}

const KUBEADM_API = 'kubeadm.k8s.io/v1beta2';

/**
 * kubeadm's configuration for `kubeadm init` (InitConfiguration,
 * ClusterConfiguration, KubeletConfiguration, KubeProxyConfiguration), as a
 * multi-document YAML of JSON documents. The API server advertises, and its
 * certificate names, the node's cluster address; the controller manager
 * allocates no Pod ranges (the preset gives each node its slice); the
 * kubelet uses cgroupfs, tolerates swap, evicts nothing and syncs its Pods
 * every 10 s (so the static Pods show soon after the Node registers); kube-proxy
 * leaves the host's conntrack settings alone. Pure.
 */
export function initConfiguration(inputs: InitInputs): string {
  const endpoint = `${inputs.address}:6443`;
  return documents([
    {
      apiVersion: KUBEADM_API,
      kind: 'InitConfiguration',
      localAPIEndpoint: { advertiseAddress: inputs.address, bindPort: 6443 },
      nodeRegistration: {
        ...nodeRegistration(inputs),
        ...(inputs.taintControlPlane ? {} : { taints: [] }),
      },
    },
    {
      apiVersion: KUBEADM_API,
      kind: 'ClusterConfiguration',
      kubernetesVersion: inputs.kubernetesVersion,
      imageRepository: inputs.imageRepository,
      controlPlaneEndpoint: endpoint,
      apiServer: { certSANs: [inputs.address, inputs.name] },
      controllerManager: { extraArgs: { 'allocate-node-cidrs': 'false' } },
      etcd: { local: { imageRepository: inputs.imageRepository, imageTag: inputs.etcdImageTag } },
      networking: { podSubnet: inputs.podCidr, serviceSubnet: inputs.serviceCidr },
    },
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      cgroupDriver: 'cgroupfs',
      failSwapOn: false,
      // The kubelet makes the static Pods' mirror Pods only once its Node exists, and after the
      // first failed attempt (the API server it starts is not up yet) only at its next periodic
      // sync of them: every minute by default.
      syncFrequency: '10s',
      evictionHard: { 'memory.available': '0%', 'nodefs.available': '0%', 'imagefs.available': '0%' },
    },
    {
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      mode: 'iptables',
      conntrack: { maxPerCore: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    },
  ]);
}

/** kubeadm's JoinConfiguration for a worker, as YAML (a JSON document). Pure. */
export function joinConfiguration(node: NodeRegistration, join: JoinCredentials): string {
  return documents([
    {
      apiVersion: KUBEADM_API,
      kind: 'JoinConfiguration',
      discovery: {
        bootstrapToken: {
          apiServerEndpoint: join.apiServerEndpoint,
          token: join.token,
          caCertHashes: [join.caCertHash],
        },
      },
      nodeRegistration: nodeRegistration(node),
    },
  ]);
}

function nodeRegistration({ name, address, runtime }: NodeRegistration) {
  const socket = criSocket(runtime);
  return {
    name,
    ...(socket ? { criSocket: socket } : {}),
    kubeletExtraArgs: { 'node-ip': address },
    ignorePreflightErrors: [...IGNORED_PREFLIGHT_CHECKS],
  };
}

function documents(docs: readonly object[]): string {
  return `${docs.map((doc) => JSON.stringify(doc, null, 2)).join('\n---\n')}\n`;
}
