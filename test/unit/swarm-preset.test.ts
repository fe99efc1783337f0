import { HostUnsupportedError } from '@sandkit/core';
import { describe, expect, it } from 'vitest';
import { planNodes } from '../../packages/core/src/cluster/plan-cluster.js';
import {
  parseKernelNetworking,
  swarmLimits,
} from '../../packages/core/src/cluster/presets/swarm/kernel-networking.js';
import { swarmManagers } from '../../packages/core/src/cluster/presets/swarm/swarm-preset.js';
import {
  serviceCreateCommand,
  swarmInitRequest,
  swarmJoinRequest,
} from '../../packages/core/src/cluster/presets/swarm/swarm-requests.js';

const spec = { image: 'sandkit/dind:latest' };
const noIpvs = { vxlan: true, ipvs: false };

describe('the swarm preset', () => {
  it('makes the nodes of role "manager" managers, else the first node alone', () => {
    const roles = planNodes({ nodes: { manager: { count: 1 }, worker: { count: 2 } }, spec });
    expect(swarmManagers(roles, undefined).map((n) => n.name)).toEqual(['manager-1']);
    expect(swarmManagers(planNodes({ nodes: 3, spec }), undefined).map((n) => n.name)).toEqual(['node-1']);
    expect(swarmManagers(roles, ['worker']).map((n) => n.name)).toEqual(['worker-1', 'worker-2']);
  });

  it('inits and joins on the cluster-network address only, with overlay subnets clear of the inner bridges', () => {
    expect(swarmInitRequest('10.210.0.2', '10.201.0.0/16')).toEqual({
      ListenAddr: '10.210.0.2:2377',
      AdvertiseAddr: '10.210.0.2',
      DataPathAddr: '10.210.0.2',
      DefaultAddrPool: ['10.201.0.0/16'],
      SubnetSize: 24,
    });
    expect(swarmJoinRequest('SWMTKN-1-x', '10.210.0.2:2377', '10.210.0.3')).toEqual({
      ListenAddr: '10.210.0.3:2377',
      AdvertiseAddr: '10.210.0.3',
      DataPathAddr: '10.210.0.3',
      RemoteAddrs: ['10.210.0.2:2377'],
      JoinToken: 'SWMTKN-1-x',
    });
  });

  it('reads the kernel probe and says what is missing', () => {
    expect(parseKernelNetworking('vxlan=yes\nipvs=no\n')).toEqual(noIpvs);
    expect(swarmLimits({ vxlan: true, ipvs: true })).toEqual([]);
    expect(swarmLimits(noIpvs).join()).toMatch(/no IPVS.*dnsrr/);
    expect(swarmLimits({ vxlan: false, ipvs: false })).toHaveLength(2);
  });
});

describe('swarm services', () => {
  const here = { kernel: noIpvs, nodes: 3, defaultNetwork: 'cluster' };

  it('default to dnsrr without IPVS, one task per node, on the overlay network, the seeded image as it is', () => {
    const command = serviceCreateCommand({ name: 'web', image: 'sandkit/httpd:latest' }, here);
    expect(command.join(' ')).toBe(
      'docker service create --detach --quiet --name web --replicas 3 --endpoint-mode dnsrr --replicas-max-per-node 1 --network cluster --no-resolve-image sandkit/httpd:latest',
    );
  });

  it('default to a virtual IP where the kernel has IPVS', () => {
    const command = serviceCreateCommand(
      { name: 'web', image: 'x' },
      { ...here, kernel: { vxlan: true, ipvs: true } },
    );
    expect(command).toContain('vip');
  });

  it('refuse a virtual IP without IPVS, saying what works instead', () => {
    const error = (() => {
      try {
        serviceCreateCommand({ name: 'web', image: 'x', endpointMode: 'vip' }, here);
      } catch (e) {
        return e;
      }
    })();
    expect(HostUnsupportedError.is(error)).toBe(true);
    expect(error).toMatchObject({ feature: 'ipvs', message: expect.stringMatching(/dnsrr/) });
  });

  it('lift the one-per-node spread when there are more tasks than nodes', () => {
    expect(serviceCreateCommand({ name: 'web', image: 'x', replicas: 5 }, here)).not.toContain(
      '--replicas-max-per-node',
    );
  });
});
