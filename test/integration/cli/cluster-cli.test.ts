import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, inject, it } from 'vitest';
import { leftovers, NOTHING_LEFT } from '../../support/engine.js';
import { KUBERNETES_BINARIES, noKubernetesBinaries } from '../../support/kubernetes-binaries.js';
import { tempDir } from '../../support/temp-dir.js';

const images = inject('images');
const BIN = join(import.meta.dirname, '../../../packages/cli/dist/bin.js');
const sandkit = (args: string[]) => execa(process.execPath, [BIN, ...args], { reject: false });
const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('sandkit cluster up, ls, down', () => {
  it('brings up a seeded swarm that outlives the command, lists it, and takes it down without a trace', async () => {
    const name = `cli-${Date.now().toString(36)}`;
    const up = await sandkit([
      'cluster',
      'up',
      '--name',
      name,
      '--workers',
      '2',
      '--image',
      images.dind,
      '--seed',
      images.httpd,
      '--seed-store',
      await tempDir('sandkit-cli-cluster-'),
      '--ttl',
      '10',
      '--allow-insecure',
      '--json',
    ]);
    expect(up.exitCode, up.stderr).toBe(0);
    const events = jsonLines(up.stdout);
    // Progress per node, then the cluster with each node's address and inner daemon.
    for (const node of ['manager-1', 'worker-1', 'worker-2']) {
      expect(events).toContainEqual(expect.objectContaining({ event: 'node', node, phase: 'ready' }));
    }
    expect(events).toContainEqual(
      expect.objectContaining({ event: 'node', node: 'worker-2', phase: 'joined' }),
    );
    const cluster = events.find((e) => e.event === 'cluster') as {
      id: string;
      nodes: Array<{ name: string; address: string; dockerHost: string }>;
    };
    expect(cluster.nodes.map((n) => n.name)).toEqual(['manager-1', 'worker-1', 'worker-2']);

    // The command has exited; the cluster is still there, its swarm up.
    const ls = JSON.parse((await sandkit(['cluster', 'ls', '--json'])).stdout) as {
      clusters: Array<{
        id: string;
        name: string;
        nodes: Array<{ name: string; state: string; address: string }>;
      }>;
    };
    const listed = ls.clusters.find((c) => c.id === cluster.id);
    expect(listed?.name).toBe(name);
    expect(listed?.nodes.map((n) => [n.name, n.state, n.address])).toEqual(
      cluster.nodes.map((n) => [n.name, 'running', n.address]),
    );
    // Another sandkit's sweep of orphans leaves it alone: no process owns it.
    expect((await sandkit(['gc', '--json'])).exitCode).toBe(0);
    expect(await leftovers({ cluster: cluster.id })).toMatchObject({
      containers: expect.arrayContaining([expect.any(String)]),
    });

    const down = await sandkit(['cluster', 'down', name, '--json']);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(await leftovers({ cluster: cluster.id })).toEqual(NOTHING_LEFT);
    const after = JSON.parse((await sandkit(['cluster', 'ls', '--json'])).stdout) as {
      clusters: Array<{ id: string }>;
    };
    expect(after.clusters.map((c) => c.id)).not.toContain(cluster.id);
  });

  it.skipIf(noKubernetesBinaries !== undefined).for([
    { preset: 'kubernetes', workers: 1, nodes: ['control-plane-1', 'worker-1'] },
    // A single node: the control plane takes the Pods too.
    { preset: 'kubeadm', workers: 0, nodes: ['control-plane-1'] },
  ])(
    `brings up a $preset cluster and writes its kubeconfig${noKubernetesBinaries ? `: skipped, ${noKubernetesBinaries}` : ''}`,
    async ({ preset, workers, nodes }) => {
      const name = `cli-${preset}-${Date.now().toString(36)}`;
      const kubeconfig = join(await tempDir('sandkit-cli-kubeconfig-'), 'config');
      const up = await sandkit([
        'cluster',
        'up',
        '--name',
        name,
        '--preset',
        preset,
        '--kubernetes-binaries',
        KUBERNETES_BINARIES,
        '--workers',
        String(workers),
        '--kubeconfig',
        kubeconfig,
        '--seed-store',
        await tempDir('sandkit-cli-cluster-'),
        '--ttl',
        '10',
        '--allow-insecure',
        '--json',
      ]);
      expect(up.exitCode, up.stderr).toBe(0);
      const cluster = jsonLines(up.stdout).find((e) => e.event === 'cluster') as {
        id: string;
        nodes: Array<{ name: string }>;
        kubernetes: { server: string; kubeconfig: string };
      };
      expect(cluster.nodes.map((n) => n.name)).toEqual(nodes);
      expect(cluster.kubernetes.kubeconfig).toBe(kubeconfig);
      // Only the owner may read it: it holds the cluster's admin key.
      expect((await stat(kubeconfig)).mode & 0o777).toBe(0o600);
      expect(await readFile(kubeconfig, 'utf8')).toContain(`server: ${cluster.kubernetes.server}`);

      const down = await sandkit(['cluster', 'down', name, '--json']);
      expect(down.exitCode, down.stderr).toBe(0);
      expect(await leftovers({ cluster: cluster.id })).toEqual(NOTHING_LEFT);
    },
  );

  it('lists every problem with a Kubernetes cluster up before it builds anything', async () => {
    const result = await sandkit(['cluster', 'up', '--preset', 'kubernetes', '--managers', '3']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('2 problems');
    expect(result.stderr).toContain('--kubernetes-binaries: not given');
    expect(result.stderr).toContain('--managers: 3');
  });

  it('says which clusters exist when asked to take down an unknown one', async () => {
    const result = await sandkit(['cluster', 'down', 'no-such-cluster']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('no cluster named no-such-cluster');
  });
});
