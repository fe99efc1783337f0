import type { Sandbox } from '../../../sandbox/sandbox.js';
import type { ClusterNode } from '../../cluster-node.js';
import type { ClusterPreset, PresetStepContext } from '../../cluster-preset.js';
import { needsInnerDaemon } from '../needs-inner-daemon.js';
import { controlPlaneScript, LOG_DIR, NODE_KUBECONFIG } from './control-plane-script.js';
import { kubeconfig } from './kubeconfig.js';
import { controlPlaneNode, kubernetesPlanIssues, nodeAddresses } from './kubernetes-plan.js';
import { type NodeAddress, nodeScript } from './node-script.js';
import { PKI_DIR, pkiScript } from './pki-script.js';
import { waitForNodesReady } from './wait-for-nodes-ready.js';

/** Options of {@link kubernetes}. */
export interface KubernetesOptions {
  /**
   * The image of every Pod's sandbox (pause) container. It must be in each
   * node's Docker daemon: seed it (`seed: { images: [pauseImage, …] }`).
   */
  pauseImage: string;
  /**
   * The role whose (single) node runs the control plane.
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
   * Whether ordinary Pods may run on the control-plane node (else it is tainted `NoSchedule`).
   * @default false
   */
  scheduleOnControlPlane?: boolean;
  /**
   * How long the nodes get to be Ready once they all joined.
   * @default 120_000
   */
  readyTimeoutMs?: number;
}

/** What a Kubernetes cluster's bootstrap leaves on it (`cluster.state`). */
export interface KubernetesState {
  /** The node that runs the control plane (and `kubectl` works on). */
  controlPlane: string;
  /** The API server, on the control-plane node's cluster address. */
  server: string;
  /**
   * A kubeconfig for this host (admin rights): the API server at the control
   * plane's cluster address, which a local engine's host reaches.
   */
  kubeconfig: string;
  /** Each node's slice of the Pod range. */
  podCidrs: Record<string, string>;
}

const CONTROL_PLANE_TAINT = 'node-role.kubernetes.io/master=:NoSchedule';

/**
 * Kubernetes (v1.20-era components run as processes, no kubeadm) on system
 * containers whose inner Docker daemon runs the Pods through the kubelet's
 * dockershim: one control-plane node (etcd, API server, controller manager,
 * scheduler) and every node (the control plane included) running kubelet
 * and kube-proxy, Pods on a CNI bridge per node with routes between the
 * nodes' slices. Made for the node image `@sandkit/host-setup` builds
 * (`kubernetesNodeImage`); authorization is AlwaysAllow and every component
 * holds the admin certificate: a throwaway test cluster, not a hardened one.
 */
export function kubernetes(options: KubernetesOptions): ClusterPreset<KubernetesState> {
  const podCidr = options.podCidr ?? '10.244.0.0/16';
  const serviceCidr = options.serviceCidr ?? '10.96.0.0/12';
  const startNode = async (
    node: ClusterNode,
    state: { kubeconfig: string },
    context: PresetStepContext,
    controlPlane: boolean,
  ) => {
    const all = nodeAddresses(context, podCidr);
    await node.sandbox.writeFiles([{ path: NODE_KUBECONFIG, content: state.kubeconfig }], {
      signal: context.signal,
    });
    context.report('starting kubelet and kube-proxy');
    await run(
      node.sandbox,
      nodeScript({
        node: all.find((n) => n.name === node.name) as NodeAddress,
        peers: all.filter((n) => n.name !== node.name),
        clusterPodCidr: podCidr,
        pauseImage: options.pauseImage,
        taints: controlPlane && !options.scheduleOnControlPlane ? [CONTROL_PLANE_TAINT] : [],
      }),
      context.signal,
    );
  };

  return {
    name: 'kubernetes',
    // The kubelet's dockershim runs Pods through each node's inner Docker daemon.
    validate: (nodes) => [
      ...needsInnerDaemon('kubernetes', nodes),
      ...kubernetesPlanIssues(nodes, { controlPlaneRole: options.controlPlaneRole, podCidr }),
    ],
    bootstrapNode: (nodes) => controlPlaneNode(nodes, options.controlPlaneRole).name,
    async bootstrap(node, context) {
      const { signal } = context;
      context.report('making the certificates');
      await run(
        node.sandbox,
        pkiScript({ address: node.address, hostname: node.name, serviceIp: firstServiceIp(serviceCidr) }),
        signal,
      );
      const read = async (file: string) =>
        Buffer.from(await node.sandbox.readFile(`${PKI_DIR}/${file}`, { signal })).toString();
      const server = `https://${node.address}:6443`;
      const config = kubeconfig(server, {
        ca: await read('ca.crt'),
        certificate: await read('admin.crt'),
        key: await read('admin.key'),
      });
      await node.sandbox.writeFiles([{ path: NODE_KUBECONFIG, content: config }], { signal });
      context.report('starting etcd and the control plane');
      await run(node.sandbox, controlPlaneScript({ address: node.address, serviceCidr, podCidr }), signal);
      const state: KubernetesState = {
        controlPlane: node.name,
        server,
        kubeconfig: config,
        podCidrs: Object.fromEntries(nodeAddresses(context, podCidr).map((n) => [n.name, n.podCidr])),
      };
      await startNode(node, state, context, true);
      return state;
    },
    join: (node, state, context) => startNode(node, state, context, false),
    async settle(controlPlane, nodes, _state, context) {
      const timeoutMs = options.readyTimeoutMs ?? 120_000;
      const notReady = await waitForNodesReady({
        controlPlane,
        kubeconfig: NODE_KUBECONFIG,
        nodes,
        timeoutMs,
        context,
      });
      if (notReady) {
        const log = await controlPlane.sandbox.exec(['tail', '-n', '25', `${LOG_DIR}/kubelet.log`], {
          reject: false,
        });
        throw new Error(
          `not every node was Ready within ${timeoutMs} ms:\n${notReady.lastListing}\nThe control-plane node's kubelet log ends with:\n${log.stdout}`,
        );
      }
      await run(
        controlPlane.sandbox,
        `kubectl --kubeconfig=${NODE_KUBECONFIG} label node ${controlPlane.name} node-role.kubernetes.io/master= --overwrite`,
        context.signal,
      );
    },
  };
}

/** The first usable address of a range: the `kubernetes` Service's ClusterIP. Pure. */
export function firstServiceIp(serviceCidr: string): string {
  const [address = ''] = serviceCidr.split('/');
  const octets = address.split('.').map(Number);
  octets[3] = (octets[3] ?? 0) + 1;
  return octets.join('.');
}

/** Runs a script on a node; a failure throws what it printed. */
async function run(sandbox: Sandbox, script: string, signal: AbortSignal): Promise<void> {
  const result = await sandbox.exec(['sh', '-c', script], { reject: false, signal });
  if (result.exitCode !== 0)
    throw new Error(
      `exit code ${result.exitCode}:\n${[result.stderr, result.stdout].filter(Boolean).join('\n').trim()}`,
    );
}
