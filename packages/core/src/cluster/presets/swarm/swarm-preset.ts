import { HostUnsupportedError, type SpecIssue } from '../../../errors/index.js';
import { delay } from '../../../util/abort.js';
import type { ClusterNode } from '../../cluster-node.js';
import type { ClusterPreset, PresetStepContext } from '../../cluster-preset.js';
import type { PlannedNode } from '../../plan-cluster.js';
import { detectKernelNetworking, type KernelNetworking, swarmLimits } from './kernel-networking.js';
import { overlayNetworkCommand, swarmInitCommand, swarmJoinCommand } from './swarm-commands.js';

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
 * Docker Swarm over the cluster's nodes, offline: the first manager runs
 * `docker swarm init` advertising its cluster-network address, every other
 * node joins with the manager or worker token, and an attachable overlay
 * network is created. Checks the kernel first: without VXLAN overlay traffic
 * cannot flow (`HostUnsupportedError`); without IPVS only `dnsrr` services
 * work, which `cluster.state.limits` says and `createSwarmService` enforces.
 */
export function swarm(options: SwarmOptions = {}): ClusterPreset<SwarmState> {
  const addressPool = options.addressPool ?? '10.201.0.0/16';
  const overlay = options.overlayNetwork === false ? undefined : (options.overlayNetwork ?? 'cluster');
  return {
    name: 'swarm',
    validate(nodes): SpecIssue[] {
      const issues: SpecIssue[] = [];
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
      context.report('swarm: checking the kernel (VXLAN, IPVS)');
      const kernel = await detectKernelNetworking(node.sandbox, context.signal);
      if (!kernel.vxlan) {
        throw new HostUnsupportedError(
          'vxlan',
          'Swarm overlay networks need VXLAN, which this kernel lacks',
          {
            sandboxId: node.sandbox.id,
          },
          swarmLimits(kernel).join('\n'),
        );
      }
      context.report('swarm: init');
      await run(node, swarmInitCommand(node.address, addressPool), context);
      const token = async (kind: 'worker' | 'manager') =>
        (await run(node, ['docker', 'swarm', 'join-token', '--quiet', kind], context)).trim();
      const joinTokens = { worker: await token('worker'), manager: await token('manager') };
      if (overlay) {
        context.report(`swarm: creating the overlay network ${overlay}`);
        await run(node, overlayNetworkCommand(overlay), context);
      }
      return {
        bootstrapNode: node.name,
        managerAddress: `${node.address}:2377`,
        joinTokens,
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
      await run(
        node,
        swarmJoinCommand(token, state.managerAddress.split(':')[0] as string, node.address),
        context,
      );
    },
    async settle(bootstrapNode, nodes, _state, context) {
      context.report('swarm: waiting for every node to be Ready');
      await waitForReadyNodes(bootstrapNode, nodes, options.readyTimeoutMs ?? 60_000, context);
    },
  };
}

async function run(node: ClusterNode, command: string[], context: PresetStepContext): Promise<string> {
  return (await node.sandbox.exec(command, { signal: context.signal, timeoutMs: 60_000 })).stdout;
}

/** Polls `docker node ls` on a manager until every node's hostname shows Ready. */
async function waitForReadyNodes(
  manager: ClusterNode,
  nodes: readonly ClusterNode[],
  timeoutMs: number,
  context: PresetStepContext,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = await run(manager, ['docker', 'node', 'ls', '--format', '{{.Hostname}} {{.Status}}'], context);
    const ready = new Set(
      last
        .split('\n')
        .map((line) => line.trim().split(' '))
        .filter(([, status]) => status === 'Ready')
        .map(([hostname]) => hostname),
    );
    if (nodes.every((n) => ready.has(n.name))) return;
    if (Date.now() > deadline)
      throw new Error(`not every swarm node was Ready within ${timeoutMs} ms; docker node ls:\n${last}`);
    await delay(250, context.signal);
  }
}
