import type { ClusterNode } from '../../cluster-node.js';
import type { ClusterPreset, PresetStepContext } from '../../cluster-preset.js';
import { controlPlaneNode, kubernetesPlanIssues, nodeAddresses } from '../kubernetes/kubernetes-plan.js';
import type { NodeAddress } from '../kubernetes/node-script.js';
import { podNetworkScript } from '../kubernetes/pod-network-script.js';
import { waitForNodesReady } from '../kubernetes/wait-for-nodes-ready.js';
import { containerRuntimeScript, type KubeadmContainerRuntime } from './container-runtime.js';
import { type JoinCredentials, parseJoinCommand } from './join-command.js';
import { initConfiguration, joinConfiguration, KUBEADM_CONFIG } from './kubeadm-config.js';
import { KubeadmStepFailedError } from './kubeadm-step-error.js';
import { KUBELET_LOG, kubeletStartScript } from './kubelet-start-script.js';
import { missingImagesScript } from './missing-images-script.js';

/** Options of {@link kubeadm}. */
export interface KubeadmOptions {
  /**
   * The tag of the etcd image kubeadm runs (`<imageRepository>/etcd:<tag>`).
   * `@sandkit/host-setup`'s `buildKubeadmImages` builds it from the host's
   * etcd and says its tag (`etcdImageTag`).
   */
  etcdImageTag: string;
  /**
   * The prefix of every image kubeadm runs (`<imageRepository>/kube-apiserver:<version>`,
   * `…/pause:3.2`, …). Each must be in every node's container runtime: seed
   * them into nodes with a Docker daemon (`seed: { images: […] }`); a
   * containerd node image brings them (`buildKubeadmContainerdImages` bakes
   * them in). Nothing is pulled.
   * @default 'sandkit' (the images `buildKubeadmImages` builds)
   */
  imageRepository?: string;
  /**
   * The Kubernetes version kubeadm sets up: that of the nodes' kubeadm and
   * kubelet, and the tag of the control-plane images.
   * @default 'v1.20.2'
   */
  kubernetesVersion?: string;
  /**
   * The role whose (single) node runs `kubeadm init` and the control plane.
   * @default 'control-plane' when the cluster has that role, else the first node
   */
  controlPlaneRole?: string;
  /**
   * The Pods' address range, a /16: node number i (0-based, in creation order) gets its i-th /24.
   * @default '10.244.0.0/16'
   */
  podCidr?: string;
  /**
   * The Services' address range.
   * @default '10.96.0.0/12'
   */
  serviceCidr?: string;
  /**
   * Whether ordinary Pods may run on the control-plane node (else kubeadm taints it `NoSchedule`).
   * @default false
   */
  scheduleOnControlPlane?: boolean;
  /**
   * How long the nodes get to be Ready once they all joined.
   * @default 120_000
   */
  readyTimeoutMs?: number;
  /**
   * How long a node's container runtime gets to answer once the node is
   * ready: a node with its own init (`docker: 'none'`) may still be starting
   * containerd and importing the images it brings.
   * @default 120_000
   */
  containerRuntimeTimeoutMs?: number;
}

/** What a kubeadm cluster's bootstrap leaves on it (`cluster.state`). */
export interface KubeadmState {
  /** The node that ran `kubeadm init` (and `kubectl` works on, with `/etc/kubernetes/admin.conf`). */
  controlPlane: string;
  /** The API server, on the control-plane node's cluster address. */
  server: string;
  /**
   * The kubeconfig `kubeadm init` wrote (`/etc/kubernetes/admin.conf`,
   * admin rights): the API server at the control plane's cluster address,
   * which a local engine's host reaches.
   */
  kubeconfig: string;
  /** Each node's slice of the Pod range. */
  podCidrs: Record<string, string>;
  /** What a node needs to `kubeadm join` (a bootstrap token, valid 24 h). */
  join: JoinCredentials;
  /**
   * What each node's kubelet runs Pods through, as the preset found it on the
   * node: its inner Docker daemon (`docker`) or its own containerd. Filled in
   * as nodes join.
   */
  containerRuntimes: Record<string, KubeadmContainerRuntime>;
}

const ADMIN_KUBECONFIG = '/etc/kubernetes/admin.conf';

/**
 * Kubernetes set up by kubeadm on system containers of the `kubernetes-node`
 * profile (required: it prepares each node for a kubelet): `kubeadm init` on the
 * control-plane node (etcd, API server, controller manager and scheduler as
 * static Pods), `kubeadm join` on every other node, kube-proxy as kubeadm's
 * DaemonSet, no CoreDNS (its addon phase is skipped). Pods run on a CNI
 * bridge per node with routes between the nodes' slices, through the
 * container runtime the preset finds answering on each node: the kubelet's
 * dockershim on the node's inner Docker daemon (`docker: 'isolated'`), or a
 * kind-style node's own containerd (`docker: 'none'`, CRI on
 * `/run/containerd/containerd.sock`). Where the node has no systemd, the
 * preset runs the kubelet itself with the files kubeadm writes. Made for the
 * node and control-plane images `@sandkit/host-setup` builds
 * (`buildKubeadmImages`, seeded into every node, or
 * `buildKubeadmContainerdImages`, baked into the node image).
 */
export function kubeadm(options: KubeadmOptions): ClusterPreset<KubeadmState> {
  const podCidr = options.podCidr ?? '10.244.0.0/16';
  const serviceCidr = options.serviceCidr ?? '10.96.0.0/12';
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const containerRuntimeTimeoutMs = options.containerRuntimeTimeoutMs ?? 120_000;

  /** The container runtime answering on the node, once it does. */
  const findRuntime = async (node: ClusterNode, context: PresetStepContext) => {
    context.report('waiting for the container runtime');
    const found = await runStep(
      node,
      'waiting for the container runtime',
      containerRuntimeScript(Math.ceil(containerRuntimeTimeoutMs / 1000)),
      context.signal,
    );
    return found.trim() as KubeadmContainerRuntime;
  };

  /** Gives the node its Pod network, makes sure a kubelet will run and writes kubeadm's configuration. */
  const prepare = async (node: ClusterNode, config: string, context: PresetStepContext) => {
    const all = nodeAddresses(context, podCidr);
    context.report('setting up the Pod network');
    await runStep(
      node,
      'setting up the Pod network',
      podNetworkScript(
        all.find((n) => n.name === node.name) as NodeAddress,
        all.filter((n) => n.name !== node.name),
      ),
      context.signal,
    );
    await runStep(node, 'arranging for the kubelet to run', kubeletStartScript(), context.signal);
    await node.sandbox.writeFiles([{ path: KUBEADM_CONFIG, content: config }], { signal: context.signal });
  };

  return {
    name: 'kubeadm',
    // Nodes with an inner Docker daemon and nodes with their own runtime (docker: 'none') alike.
    validate: (nodes) => kubernetesPlanIssues(nodes, { controlPlaneRole: options.controlPlaneRole, podCidr }),
    bootstrapNode: (nodes) => controlPlaneNode(nodes, options.controlPlaneRole).name,
    async bootstrap(node, context) {
      const { signal } = context;
      const runtime = await findRuntime(node, context);
      await prepare(
        node,
        initConfiguration({
          name: node.name,
          address: node.address,
          runtime,
          kubernetesVersion: options.kubernetesVersion ?? 'v1.20.2',
          imageRepository: options.imageRepository ?? 'sandkit',
          etcdImageTag: options.etcdImageTag,
          podCidr,
          serviceCidr,
          taintControlPlane: !options.scheduleOnControlPlane,
        }),
        context,
      );
      context.report('checking the images kubeadm runs');
      await runStep(
        node,
        'checking the images kubeadm runs',
        missingImagesScript(KUBEADM_CONFIG, runtime),
        signal,
      );
      context.report('kubeadm init');
      await runStep(
        node,
        'kubeadm init',
        `kubeadm init --config=${KUBEADM_CONFIG} --skip-phases=addon/coredns`,
        signal,
        { withKubeletLog: true },
      );
      const config = Buffer.from(await node.sandbox.readFile(ADMIN_KUBECONFIG, { signal })).toString();
      const printed = await runStep(
        node,
        'kubeadm token create',
        'kubeadm token create --print-join-command',
        signal,
      );
      const join = parseJoinCommand(printed);
      if (!join)
        throw new KubeadmStepFailedError(
          { node: node.name, step: 'kubeadm token create' },
          `it printed no join command:\n${printed}`,
        );
      return {
        controlPlane: node.name,
        server: `https://${join.apiServerEndpoint}`,
        kubeconfig: config,
        podCidrs: Object.fromEntries(nodeAddresses(context, podCidr).map((n) => [n.name, n.podCidr])),
        join,
        containerRuntimes: { [node.name]: runtime },
      };
    },
    async join(node, state, context) {
      const runtime = await findRuntime(node, context);
      state.containerRuntimes[node.name] = runtime;
      await prepare(
        node,
        joinConfiguration({ name: node.name, address: node.address, runtime }, state.join),
        context,
      );
      context.report('kubeadm join');
      await runStep(node, 'kubeadm join', `kubeadm join --config=${KUBEADM_CONFIG}`, context.signal, {
        withKubeletLog: true,
      });
    },
    async settle(controlPlane, nodes, _state, context) {
      const notReady = await waitForNodesReady({
        controlPlane,
        kubeconfig: ADMIN_KUBECONFIG,
        nodes,
        timeoutMs: readyTimeoutMs,
        context,
      });
      if (notReady)
        throw new KubeadmStepFailedError(
          { node: controlPlane.name, step: 'waiting for every node to be Ready' },
          `not Ready within ${readyTimeoutMs} ms: ${notReady.waiting.map((n) => n.name).join(', ')}\n${notReady.lastListing}\n${await kubeletLogTail(notReady.waiting[0] as ClusterNode)}`,
        );
    },
  };
}

/**
 * Runs a script on a node and returns what it printed; a failure throws a
 * {@link KubeadmStepFailedError} with its output (and, for kubeadm's own
 * steps, the end of the node's kubelet log).
 */
async function runStep(
  node: ClusterNode,
  step: string,
  script: string,
  signal: AbortSignal,
  { withKubeletLog = false } = {},
): Promise<string> {
  const result = await node.sandbox.exec(['sh', '-c', script], { reject: false, signal });
  if (result.exitCode === 0) return result.stdout;
  const output = [result.stderr, result.stdout].filter(Boolean).join('\n').trim();
  throw new KubeadmStepFailedError(
    { node: node.name, step, ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }) },
    withKubeletLog ? `${output}\n${await kubeletLogTail(node)}` : output,
  );
}

/** The end of a node's kubelet log, introduced, or a word that there is none. */
async function kubeletLogTail(node: ClusterNode): Promise<string> {
  const log = await node.sandbox.exec(['tail', '-n', '25', KUBELET_LOG], { reject: false });
  return log.exitCode === 0
    ? `${node.name}'s kubelet log ends with:\n${log.stdout}`
    : `${node.name} has no kubelet log at ${KUBELET_LOG}`;
}
