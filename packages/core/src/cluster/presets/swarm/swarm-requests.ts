import { HostUnsupportedError, InvalidArgumentError } from '../../../errors/index.js';
import type { KernelNetworking } from './kernel-networking.js';

/** The body of `POST /swarm/init` on the bootstrap node: advertised and listening on its cluster address only. */
export function swarmInitRequest(address: string, addressPool: string) {
  return {
    ListenAddr: `${address}:2377`,
    AdvertiseAddr: address,
    DataPathAddr: address,
    DefaultAddrPool: [addressPool],
    SubnetSize: 24,
  };
}

/** The body of `POST /swarm/join` for a node, advertising its own cluster address. */
export function swarmJoinRequest(token: string, managerAddress: string, address: string) {
  return {
    ListenAddr: `${address}:2377`,
    AdvertiseAddr: address,
    DataPathAddr: address,
    RemoteAddrs: [managerAddress],
    JoinToken: token,
  };
}

/** An attachable overlay network (containers started with `docker run --network` can join it too). */
export function overlayNetworkRequest(name: string) {
  return { Name: name, Driver: 'overlay', Attachable: true, CheckDuplicate: true };
}

/** A replicated swarm service (see `createSwarmService`). */
export interface SwarmServiceOptions {
  /** Service name: also the DNS name its tasks answer to on its networks. */
  name: string;
  /** Image, seeded into every node (inner daemons cannot pull). */
  image: string;
  /**
   * Number of tasks.
   * @default one per node
   */
  replicas?: number;
  /**
   * Command (and arguments) replacing the image's.
   * @default the image's
   */
  command?: string[];
  /**
   * Networks to attach the tasks to.
   * @default the preset's overlay network
   */
  networks?: string[];
  /**
   * `dnsrr`: the name resolves to every task's address. `vip`: to one virtual
   * IP, which needs IPVS in the kernel (refused where there is none).
   * @default 'dnsrr' where the kernel has no IPVS, else 'vip'
   */
  endpointMode?: 'dnsrr' | 'vip';
  /**
   * At most this many tasks per node (`--replicas-max-per-node`); 1 spreads one task on each node.
   * @default 1 when replicas ≤ nodes, else no limit
   */
  maxPerNode?: number;
  /**
   * Environment of the tasks (values may use swarm's templates, e.g. `{{.Node.Hostname}}`).
   * @default {}
   */
  env?: Record<string, string>;
  /**
   * Task hostname (templates allowed).
   * @default the engine's (the task's container id)
   */
  hostname?: string;
}

/**
 * The `docker service create` command for the options, on a kernel like this
 * one. Throws `HostUnsupportedError` for a virtual-IP service without IPVS
 * (the engine would create it, and it would never answer), and
 * `InvalidArgumentError` for options that cannot work.
 */
export function serviceCreateCommand(
  options: SwarmServiceOptions,
  context: { kernel: KernelNetworking; nodes: number; defaultNetwork: string | undefined },
): string[] {
  const endpointMode = options.endpointMode ?? (context.kernel.ipvs ? 'vip' : 'dnsrr');
  if (endpointMode === 'vip' && !context.kernel.ipvs) {
    throw new HostUnsupportedError(
      'ipvs',
      `Swarm service "${options.name}": the virtual-IP endpoint mode needs IPVS, which this kernel lacks`,
      {},
      "Its name would resolve to a virtual IP that never answers. Use endpointMode: 'dnsrr' (the default here): the name resolves to every task's address.",
    );
  }
  const replicas = options.replicas ?? context.nodes;
  const networks = options.networks ?? (context.defaultNetwork ? [context.defaultNetwork] : []);
  const problems = [
    ...(!Number.isInteger(replicas) || replicas < 0
      ? [{ path: 'replicas', problem: `${replicas} is not a task count`, allowed: 'an integer ≥ 0' }]
      : []),
    ...(networks.length === 0
      ? [
          {
            path: 'networks',
            problem: 'no network to attach to',
            allowed: 'a network, or a preset with an overlay network',
          },
        ]
      : []),
  ];
  if (problems.length > 0) throw new InvalidArgumentError('create a swarm service', problems);
  const maxPerNode = options.maxPerNode ?? (replicas <= context.nodes ? 1 : undefined);
  return [
    'docker',
    'service',
    'create',
    '--detach',
    '--quiet',
    '--name',
    options.name,
    '--replicas',
    String(replicas),
    '--endpoint-mode',
    endpointMode,
    ...(maxPerNode !== undefined ? ['--replicas-max-per-node', String(maxPerNode)] : []),
    ...networks.flatMap((n) => ['--network', n]),
    ...Object.entries(options.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    ...(options.hostname ? ['--hostname', options.hostname] : []),
    // Inner daemons cannot reach a registry: use the seeded image as it is.
    '--no-resolve-image',
    options.image,
    ...(options.command ?? []),
  ];
}
