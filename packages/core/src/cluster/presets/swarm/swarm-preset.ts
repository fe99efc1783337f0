import { HostUnsupportedError, type SpecIssue } from '../../../errors/index.js';
import { delay, raceSignal } from '../../../util/abort.js';
import type { ClusterNode } from '../../cluster-node.js';
import type { ClusterPreset, PresetStepContext } from '../../cluster-preset.js';
import type { PlannedNode } from '../../plan-cluster.js';
import { needsInnerDaemon } from '../needs-inner-daemon.js';
import { detectKernelNetworking, type KernelNetworking, swarmLimits } from './kernel-networking.js';
import { overlayNetworkRequest, swarmInitRequest, swarmJoinRequest } from './swarm-requests.js';

/** Options of {@link swarm}. */
export interface SwarmOptions {
  /**
   * Roles whose nodes are swarm managers. The first node of the first role
   * inits the swarm; the other managers and all workers join it.
   * @default ['manager'] when the cluster has that role, else the first node alone is the manager
   */
  managerRoles?: string[];
  /**
   * Name of an attachable overlay network created right after `swarm init`,
   * for services and for `docker run --network` on any node; `false` for none.
   * @default 'cluster'
   */
  overlayNetwork?: string | false;
  /**
   * Pool the swarm carves overlay subnets from (/24 each), clear of the inner
   * daemons' own bridge (10.199.0.0/24) and pool (10.200.0.0/16).
   * @default '10.201.0.0/16'
   */
  addressPool?: string;
  /**
   * How long every node gets to show as Ready in `docker node ls` after joining.
   * @default 60_000
   */
  readyTimeoutMs?: number;
}

/** What a swarm cluster's bootstrap leaves on it (`cluster.state`). */
export interface SwarmState {
  /** The node that ran `swarm init`: run `docker service …` there. */
  bootstrapNode: string;
  /** `address:2377`: what nodes join. */
  managerAddress: string;
  joinTokens: { worker: string; manager: string };
  /** Names of the manager nodes. */
  managers: string[];
  /** The overlay network made at bootstrap, if any. */
  overlayNetwork: string | undefined;
  /** What the kernel offers swarm's networking, seen from the bootstrap node. */
  kernel: KernelNetworking;
  /** What swarm cannot do here, in words (empty when everything works). */
  limits: string[];
}

const DEFAULT_MANAGER_ROLE = 'manager';

/** The nodes that are managers, in plan order. Pure. */
export function swarmManagers(
  nodes: readonly PlannedNode[],
  managerRoles: readonly string[] | undefined,
): PlannedNode[] {
  if (managerRoles) return nodes.filter((n) => managerRoles.includes(n.role));
  const byDefault = nodes.filter((n) => n.role === DEFAULT_MANAGER_ROLE);
  return byDefault.length > 0 ? byDefault : nodes.slice(0, 1);
}

/**
 * Docker Swarm over the cluster's nodes, offline, through each node's inner
 * daemon API: the first manager inits the swarm advertising its
 * cluster-network address, every other node joins with the manager or worker
 * token, and an attachable overlay network is created while they join. Checks the kernel first: without VXLAN overlay traffic
 * cannot flow (`HostUnsupportedError`); without IPVS only `dnsrr` services
 * work, which `cluster.state.limits` says and `createSwarmService` enforces.
 */
export function swarm(options: SwarmOptions = {}): ClusterPreset<SwarmState> {
  const addressPool = options.addressPool ?? '10.201.0.0/16';
  const overlay = options.overlayNetwork === false ? undefined : (options.overlayNetwork ?? 'cluster');
  return {
    name: 'swarm',
    validate(nodes): SpecIssue[] {
      const issues: SpecIssue[] = needsInnerDaemon('swarm', nodes);
      if (options.managerRoles && swarmManagers(nodes, options.managerRoles).length === 0) {
        issues.push({
          path: 'preset.managerRoles',
          problem: `no node has a manager role (${options.managerRoles.join(', ')})`,
          allowed: `roles of the cluster: ${[...new Set(nodes.map((n) => n.role))].join(', ')}`,
        });
      }
      return issues;
    },
    bootstrapNode(nodes) {
      return (swarmManagers(nodes, options.managerRoles)[0] as PlannedNode).name;
    },
    async bootstrap(node, context): Promise<SwarmState> {
      const inner = node.sandbox.docker();
      const call = <T>(request: Promise<T>) => raceSignal(request, context.signal);
      context.report('swarm: init (and a look at the kernel: VXLAN, IPVS)');
      // Both at once: a swarm inited on a kernel without VXLAN goes with the cluster that fails.
      const [kernel] = await Promise.all([
        detectKernelNetworking(node.sandbox, context.signal),
        call(inner.swarmInit(swarmInitRequest(node.address, addressPool))),
      ]);
      if (!kernel.vxlan) {
        throw new HostUnsupportedError(
          'vxlan',
          'Swarm overlay networks need VXLAN, which this kernel lacks',
          { sandboxId: node.sandbox.id },
          swarmLimits(kernel).join('\n'),
        );
      }
      const { JoinTokens } = (await call(inner.swarmInspect())) as {
        JoinTokens: { Worker: string; Manager: string };
      };
      return {
        bootstrapNode: node.name,
        managerAddress: `${node.address}:2377`,
        joinTokens: { worker: JoinTokens.Worker, manager: JoinTokens.Manager },
        managers: swarmManagers(context.plan, options.managerRoles).map((n) => n.name),
        overlayNetwork: overlay,
        kernel,
        limits: swarmLimits(kernel),
      };
    },
    async join(node, state, context) {
      const asManager = state.managers.includes(node.name);
      context.report(`swarm: joining as ${asManager ? 'manager' : 'worker'}`);
      const token = asManager ? state.joinTokens.manager : state.joinTokens.worker;
      await raceSignal(
        node.sandbox.docker().swarmJoin(swarmJoinRequest(token, state.managerAddress, node.address)),
        context.signal,
      );
    },
    async settle(bootstrapNode, nodes, state, context) {
      context.report('swarm: waiting for every node to be Ready');
      const inner = bootstrapNode.sandbox.docker();
      await Promise.all([
        state.overlayNetwork
          ? raceSignal(inner.createNetwork(overlayNetworkRequest(state.overlayNetwork)), context.signal)
          : undefined,
        waitForReadyNodes(bootstrapNode, nodes, options.readyTimeoutMs ?? 60_000, context),
      ]);
    },
  };
}

/** Polls the manager's node list until every node's hostname shows ready. */
async function waitForReadyNodes(
  manager: ClusterNode,
  nodes: readonly ClusterNode[],
  timeoutMs: number,
  context: PresetStepContext,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const inner = manager.sandbox.docker();
  for (;;) {
    const listed = (await raceSignal(inner.listNodes(), context.signal)) as Array<{
      Description: { Hostname: string };
      Status: { State: string };
    }>;
    const ready = new Set(
      listed.filter((n) => n.Status.State === 'ready').map((n) => n.Description.Hostname),
    );
    if (nodes.every((n) => ready.has(n.name))) return;
    if (Date.now() > deadline) {
      const states = listed.map((n) => `${n.Description.Hostname}: ${n.Status.State}`).join(', ');
      throw new Error(
        `not every swarm node was ready within ${timeoutMs} ms (${states || 'no nodes listed'})`,
      );
    }
    await delay(100, context.signal);
  }
}
