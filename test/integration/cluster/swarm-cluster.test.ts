import { existsSync } from 'node:fs';
import {
  createSwarmService,
  HostUnsupportedError,
  InvalidArgumentError,
  type SandboxCluster,
  Sandkit,
  type SwarmState,
  swarm,
} from '@sandkit/core';
import { LABEL } from '@sandkit/core/runtime';
import { detectSeedStore, listGoldens, sysbox } from '@sandkit/runtime-sysbox';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clusterLeftovers, NOTHING_OF_THE_CLUSTER } from '../../support/cluster-leftovers.js';
import { testEngine } from '../../support/engine.js';
import { xfsSeedStore } from '../../support/seed-store.js';
import { SYSTEM_CONTAINER_MODES } from '../../support/system-container-modes.js';
import { tempDir } from '../../support/temp-dir.js';

const images = inject('images');
/** What the kernel of this host has (a sandbox shares it): the swarm preset must see the same. */
const hostHasIpvs = existsSync('/sys/module/ip_vs') || existsSync('/proc/net/ip_vs');

/** A client container on the overlay network of `node`'s inner daemon: runs `script` in busybox. */
async function fromNode(cluster: SandboxCluster<SwarmState>, node: string, script: string): Promise<string> {
  const { stdout } = await cluster
    .node(node)
    .exec(['docker', 'run', '--rm', '--network', 'cluster', images.busybox, 'sh', '-c', script], {
      timeoutMs: 60_000,
    });
  return stdout;
}

/** `GET /` with busybox `nc` (its static `wget` cannot resolve names). */
const httpGet = (host: string) => `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${host} 8080 | tail -n 1`;

for (const mode of SYSTEM_CONTAINER_MODES)
  describe.skipIf(mode.skipReason !== undefined)(`a 3-node swarm cluster (${mode.name})`, () => {
    let store: Awaited<ReturnType<typeof xfsSeedStore>>;
    let stateDir: string;
    let sk: Sandkit;
    let cluster: SandboxCluster<SwarmState>;
    const progress: string[] = [];

    beforeAll(async () => {
      store = await xfsSeedStore();
      stateDir = await tempDir('sandkit-cluster-state-');
      sk = new Sandkit({ runtimes: [sysbox({ ...mode.options, seedStore: store.root, stateDir })] });
      sk.on('node', ({ node, phase }) => progress.push(`${node}: ${phase}`));
      cluster = await sk.cluster({
        name: 'swarm-test',
        nodes: { manager: { count: 1 }, worker: { count: 2 } },
        spec: {
          image: images.dind,
          pull: 'never',
          trust: 'trusted',
          seed: { images: [images.httpd, images.busybox], strategy: 'clone' },
        },
        preset: swarm(),
      });
    });
    afterAll(async () => {
      await sk?.close();
      await store?.dispose();
    });

    it('gives every node a stable hostname and address on a network of its own, where nodes resolve one another', async () => {
      expect(cluster.nodes.map((n) => [n.name, n.role])).toEqual([
        ['manager-1', 'manager'],
        ['worker-1', 'worker'],
        ['worker-2', 'worker'],
      ]);
      const prefix = cluster.network.subnet.replace(/\.0\/24$/, '');
      expect(cluster.nodes.map((n) => n.address)).toEqual([`${prefix}.2`, `${prefix}.3`, `${prefix}.4`]);
      for (const node of cluster.nodes) {
        expect((await node.sandbox.exec(['hostname'])).stdout.trim()).toBe(node.name);
      }
      const { stdout } = await cluster.node('worker-2').exec(['nslookup', 'manager-1']);
      expect(stdout).toContain(cluster.nodes[0]?.address);
    });

    it('labels every node and the network with the cluster', async () => {
      const { docker } = await testEngine();
      const network = await docker.getNetwork(cluster.network.id).inspect();
      expect(network.Labels?.[LABEL.cluster]).toBe(cluster.id);
      for (const node of cluster.nodes) {
        const info = await docker.getContainer(node.sandbox.containerId).inspect();
        expect(info.Config.Labels).toMatchObject({
          [LABEL.cluster]: cluster.id,
          [LABEL.clusterNode]: node.name,
          [LABEL.clusterRole]: node.role,
        });
      }
    });

    it('seeds every node from one golden data root, each with its own clone', async () => {
      const goldens = await listGoldens(await detectSeedStore(store.root));
      expect(goldens).toHaveLength(1);
      expect(goldens[0]?.clones.sort()).toEqual(cluster.nodes.map((n) => n.sandbox.id).sort());
      const { stdout } = await cluster
        .node('worker-1')
        .exec(['docker', 'images', '--format', '{{.Repository}}:{{.Tag}}']);
      expect(stdout.trim().split('\n').sort()).toEqual([images.busybox, images.httpd].sort());
    });

    it('reported each node through its phases, created in parallel', () => {
      for (const node of ['manager-1', 'worker-1', 'worker-2']) {
        expect(progress).toContain(`${node}: queued`);
        expect(progress).toContain(`${node}: ready`);
      }
      expect(progress).toContain('manager-1: bootstrapped');
      expect(progress).toContain('worker-1: joined');
      // In parallel: a second node was already being created (past queued) before the first was ready.
      const startedAt = ['manager-1', 'worker-1', 'worker-2']
        .map((node) => progress.findIndex((p) => p.startsWith(`${node}: `) && !p.endsWith(': queued')))
        .sort((a, b) => a - b);
      expect(startedAt[1]).toBeLessThan(progress.findIndex((p) => p.endsWith(': ready')));
    });

    it('makes one swarm: a manager and two workers, all Ready', async () => {
      const { stdout } = await cluster
        .node('manager-1')
        .exec(['docker', 'node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.ManagerStatus}}']);
      const nodes = stdout
        .trim()
        .split('\n')
        .map((line) => line.trim());
      expect(nodes.sort()).toEqual(['manager-1 Ready Leader', 'worker-1 Ready', 'worker-2 Ready']);
    });

    it("says what this kernel's networking allows", () => {
      expect(cluster.state?.kernel).toEqual({ vxlan: true, ipvs: hostHasIpvs });
      if (!hostHasIpvs) expect(cluster.state?.limits.join()).toMatch(/no IPVS.*dnsrr/);
    });

    it('runs a replicated dnsrr service with one task on each node, answering by name from another node', async () => {
      const service = await createSwarmService(cluster, {
        name: 'web',
        image: images.httpd,
        endpointMode: 'dnsrr',
        hostname: '{{.Node.Hostname}}',
        command: ['sh', '-c', 'hostname > /www/index.html && exec httpd -f -p 8080 -h /www'],
      });
      expect(service.tasks.map((t) => t.node).sort()).toEqual(['manager-1', 'worker-1', 'worker-2']);
      // The service name resolves to all three tasks, each answering from its own node, over the overlay.
      const answers = await fromNode(
        cluster,
        'worker-2',
        `for ip in $(nslookup tasks.web | awk '/^Address: / { print $2 }'); do ${httpGet('$ip')}; done`,
      );
      expect(answers.trim().split('\n').sort()).toEqual(['manager-1', 'worker-1', 'worker-2']);
      expect((await fromNode(cluster, 'worker-1', httpGet('web'))).trim()).toMatch(
        /^(manager-1|worker-1|worker-2)$/,
      );
    });

    it.skipIf(hostHasIpvs)(
      `refuses a virtual-IP service on a kernel without IPVS, before it reaches the engine${hostHasIpvs ? ': skipped, this kernel has IPVS (virtual IPs work here)' : ''}`,
      async () => {
        const error = await createSwarmService(cluster, {
          name: 'vip',
          image: images.httpd,
          endpointMode: 'vip',
        }).catch((e: unknown) => e);
        expect(HostUnsupportedError.is(error)).toBe(true);
        const { stdout } = await cluster
          .node('manager-1')
          .exec(['docker', 'service', 'ls', '--format', '{{.Name}}']);
        expect(stdout.trim().split('\n')).toEqual(['web']);
      },
    );

    it('hands out a node as a normal sandbox, and says which nodes exist when asked for another', () => {
      expect(cluster.node('worker-1').id).toBe(cluster.nodes[1]?.sandbox.id);
      expect(() => cluster.node('worker-3')).toThrow(InvalidArgumentError);
    });

    it('is destroyed as one, leaving no container, network, volume, host directory, clone or mount', async () => {
      const before = await clusterLeftovers(cluster, { stateDir, seedStore: store.root });
      expect(before.containers).toHaveLength(3);
      expect(before.networks).toEqual([cluster.network.name]);
      await cluster.destroy();
      expect(await clusterLeftovers(cluster, { stateDir, seedStore: store.root })).toEqual(
        NOTHING_OF_THE_CLUSTER,
      );
      expect(sk.clusters).toEqual([]);
    });
  });
