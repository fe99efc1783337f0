import { type ClusterSpec, InvalidSpecError, kubernetes, swarm } from '@sandkit/core';
import { describe, expect, it } from 'vitest';
import { nodeAddress, parseSubnet, pickFreeSubnet } from '../../packages/core/src/cluster/cluster-subnet.js';
import {
  assertValidClusterSpec,
  findClusterSpecIssues,
  planNodes,
  roleSpec,
} from '../../packages/core/src/cluster/plan-cluster.js';

const base = { image: 'sandkit/dind:latest', seed: { images: ['sandkit/httpd:latest'] } };

describe('planning a cluster', () => {
  it('names nodes <role>-<n> in role order, each an isolated sandbox of the cluster spec', () => {
    const nodes = planNodes({ nodes: { manager: { count: 1 }, worker: { count: 2 } }, spec: base });
    expect(nodes.map((n) => [n.name, n.role, n.index])).toEqual([
      ['manager-1', 'manager', 0],
      ['worker-1', 'worker', 1],
      ['worker-2', 'worker', 2],
    ]);
    expect(nodes.every((n) => n.spec.docker === 'isolated' && n.spec.seed === base.seed)).toBe(true);
  });

  it('makes a plain number of nodes "node-1" … "node-n"', () => {
    expect(planNodes({ nodes: 3, spec: base }).map((n) => n.name)).toEqual(['node-1', 'node-2', 'node-3']);
  });

  it("lets a role replace the cluster spec's fields, merging env and labels", () => {
    const merged = roleSpec(
      { ...base, env: { A: '1', B: '1' }, labels: { team: 'x' }, resources: { cpus: 1 } },
      { env: { B: '2' }, labels: { role: 'worker' }, resources: { memoryBytes: 1 << 30 } },
    );
    expect(merged).toMatchObject({
      env: { A: '1', B: '2' },
      labels: { team: 'x', role: 'worker' },
      resources: { memoryBytes: 1 << 30 },
      docker: 'isolated',
    });
    expect(merged.resources?.cpus).toBeUndefined();
  });
});

describe('checking a cluster spec, before anything is created', () => {
  const issuesOf = (spec: unknown) => findClusterSpecIssues(spec as ClusterSpec).map((i) => i.path);

  it('accepts a valid one', () => {
    expect(
      findClusterSpecIssues({ nodes: { manager: { count: 1 }, worker: { count: 2 } }, spec: base }),
    ).toEqual([]);
  });

  it("reports an invalid role spec at the role's path", () => {
    expect(
      issuesOf({
        nodes: { manager: { count: 1 }, worker: { count: 2, spec: { resources: { cpus: -1 } } } },
        spec: base,
      }),
    ).toEqual(['nodes.worker.spec.resources.cpus']);
  });

  it('refuses nodes without their own inner daemon, but for Kubernetes nodes with their own runtime', () => {
    expect(issuesOf({ nodes: 2, spec: { image: base.image, docker: 'shared' } })).toEqual(['spec.docker']);
    expect(issuesOf({ nodes: 2, spec: { image: base.image, docker: 'none' } })).toEqual(['spec.docker']);
    const kind = { image: 'kindest/node:v1.29.2', docker: 'none', profile: 'kubernetes-node' } as const;
    expect(issuesOf({ nodes: 2, spec: kind })).toEqual([]);
    // Presets that drive each node's inner Docker daemon refuse them.
    expect(issuesOf({ nodes: 2, spec: kind, preset: swarm() })).toEqual(['spec.docker']);
    expect(issuesOf({ nodes: 2, spec: kind, preset: kubernetes({ pauseImage: 'pause' }) })).toEqual([
      'spec.docker',
    ]);
  });

  it('refuses bad counts, role names, cluster names and unknown keys', () => {
    expect(issuesOf({ nodes: 0, spec: base })).toEqual(['nodes']);
    expect(issuesOf({ nodes: { Worker_1: { count: 1 } }, spec: base })).toEqual(['nodes.Worker_1']);
    expect(issuesOf({ nodes: { worker: { count: 1.5 } }, spec: base })).toEqual(['nodes.worker.count']);
    expect(issuesOf({ name: 'My Cluster', nodes: 1, spec: base })).toEqual(['name']);
    expect(issuesOf({ nodes: 1, spec: base, replicas: 3 })).toEqual(['replicas']);
  });

  it('refuses a subnet that is malformed or too small for the nodes', () => {
    expect(issuesOf({ nodes: 1, spec: base, subnet: '10.1.2.3/24' })).toEqual(['subnet']);
    expect(issuesOf({ nodes: 14, spec: base, subnet: '10.1.2.0/28' })).toEqual(['subnet']);
    expect(issuesOf({ nodes: 13, spec: base, subnet: '10.1.2.0/28' })).toEqual([]);
  });

  it("adds the node runtime's own rules and the preset's", () => {
    const issues = findClusterSpecIssues(
      { nodes: { a: { count: 1 } }, spec: base, preset: swarm({ managerRoles: ['manager'] }) },
      () => [{ path: 'env.SYSBOX_X', problem: 'reserved', allowed: 'other names' }],
    );
    expect(issues.map((i) => i.path)).toEqual(['nodes.a.spec.env.SYSBOX_X']);
    expect(
      findClusterSpecIssues({
        nodes: { a: { count: 1 } },
        spec: base,
        preset: swarm({ managerRoles: ['manager'] }),
      }).map((i) => i.path),
    ).toEqual(['preset.managerRoles']);
  });

  it('has the kubernetes preset refuse nodes not prepared for a kubelet', () => {
    const preset = kubernetes({ pauseImage: 'pause' });
    expect(issuesOf({ nodes: 2, spec: { ...base, profile: 'kubernetes-node' }, preset })).toEqual([]);
    expect(findClusterSpecIssues({ nodes: 2, spec: base, preset })).toEqual([
      {
        path: 'spec.profile',
        problem: 'node-1, node-2 would not be prepared for a kubelet (no kubernetes-node profile)',
        allowed: 'profile: "kubernetes-node" in the cluster\'s spec',
      },
    ]);
  });

  it('throws InvalidSpecError listing every problem', () => {
    const error = (() => {
      try {
        assertValidClusterSpec({ nodes: { worker: { count: 0 } }, spec: { image: 'NOT VALID' } });
      } catch (e) {
        return e;
      }
    })();
    expect(InvalidSpecError.is(error)).toBe(true);
    expect((error as InvalidSpecError).issues.map((i) => i.path)).toEqual(['nodes.worker.count']);
  });
});

describe('cluster addresses', () => {
  it('gives nodes the subnet addresses after the gateway, in plan order', () => {
    const subnet = parseSubnet('10.210.4.0/24');
    expect(subnet && [0, 1, 2].map((i) => nodeAddress(subnet, i))).toEqual([
      '10.210.4.2',
      '10.210.4.3',
      '10.210.4.4',
    ]);
  });

  it('picks the first /24 of the pool that no network on the engine overlaps', () => {
    expect(pickFreeSubnet([])).toBe('10.210.0.0/24');
    expect(pickFreeSubnet(['172.17.0.0/16', '10.210.0.0/24', '10.210.1.128/25'])).toBe('10.210.2.0/24');
    expect(pickFreeSubnet(['10.0.0.0/8'])).toBeUndefined();
    expect(pickFreeSubnet(['10.210.0.0/24'], 1)).toBe('10.210.2.0/24');
  });
});
