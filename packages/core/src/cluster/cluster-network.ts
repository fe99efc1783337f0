import type { Engine } from '../engine/engine.js';
import { type ClusterMembership, LABEL, type Session } from '../labels/sandkit-labels.js';
import { gatewayAddress, parseSubnet, pickFreeSubnet, type Subnet } from './cluster-subnet.js';

/** A cluster's own network on the engine. */
export interface ClusterNetwork {
  id: string;
  name: string;
  subnet: string;
}

/** How many free subnets to try when other processes keep taking the one picked. */
const SUBNET_ATTEMPTS = 5;

/** Name of a cluster's network on the engine. */
export function clusterNetworkName(clusterId: string): string {
  return `sandkit-cluster-${clusterId}`;
}

/**
 * Creates the cluster's bridge network (labelled with the session, owner,
 * expiry and cluster, so every sweep that selects the cluster removes it):
 * traffic between its nodes allowed, never the engine's `docker0`. With no
 * subnet given, takes a free /24 of sandkit's cluster pool, trying the next
 * free one when another process created an overlapping network meanwhile.
 */
export async function createClusterNetwork(
  engine: Engine,
  options: {
    session: Session;
    membership: ClusterMembership;
    runtime: string;
    expiresAt: number | undefined;
    subnet: string | undefined;
  },
): Promise<ClusterNetwork> {
  const name = clusterNetworkName(options.membership.clusterId);
  const labels = {
    [LABEL.managed]: 'true',
    [LABEL.session]: options.session.id,
    [LABEL.runtime]: options.runtime,
    [LABEL.owner]: options.session.owner,
    [LABEL.cluster]: options.membership.clusterId,
    [LABEL.clusterName]: options.membership.clusterName,
    ...(options.expiresAt !== undefined ? { [LABEL.expiresAt]: String(options.expiresAt) } : {}),
  };
  for (let attempt = 0; ; attempt++) {
    const subnet = options.subnet ?? pickFreeSubnet(await subnetsInUse(engine), attempt);
    if (!subnet) throw new Error('no free /24 left in the cluster subnet pool; give the cluster a subnet');
    try {
      const network = await engine.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: labels,
        IPAM: {
          Driver: 'default',
          Config: [{ Subnet: subnet, Gateway: gatewayAddress(parseSubnet(subnet) as Subnet) }],
        },
      });
      return { id: network.id, name, subnet };
    } catch (error) {
      const overlap = /overlaps/i.test(String((error as Error).message));
      if (!overlap || options.subnet || attempt + 1 >= SUBNET_ATTEMPTS) throw error;
    }
  }
}

async function subnetsInUse(engine: Engine): Promise<string[]> {
  const networks = await engine.docker.listNetworks();
  return networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s));
}
