import type { ClusterCreateOptions, ClusterSpec, SandboxCluster } from '@sandkit/core';
import { Sandkit } from '@sandkit/core';
import { sysbox } from '@sandkit/runtime-sysbox';
import { expect } from 'vitest';
import { clusterLeftovers, NOTHING_OF_THE_CLUSTER } from './cluster-leftovers.js';
import { type HostKubectl, hostKubectl } from './host-kubectl.js';
import { xfsSeedStore } from './seed-store.js';
import type { SystemContainerMode } from './system-container-modes.js';
import { tempDir } from './temp-dir.js';

/**
 * A Kubernetes cluster for one describe block of one mode: made on an XFS
 * seed store and a state directory of its own (`start`, in `beforeAll`), with
 * kubectl on the host through the kubeconfig it hands back; `close` (in
 * `afterAll`) removes it and asserts nothing of it is left.
 */
export class KubernetesTestCluster<State extends { kubeconfig: string }> {
  readonly #mode: SystemContainerMode;
  readonly #label: string;
  #sk: Sandkit | undefined;
  #store: Awaited<ReturnType<typeof xfsSeedStore>> | undefined;
  #stateDir = '';
  #cluster: SandboxCluster<State> | undefined;

  /** @param label prefixes what it prints, e.g. `kubeadm` */
  constructor(mode: SystemContainerMode, label: string) {
    this.#mode = mode;
    this.#label = label;
  }

  /** Makes the cluster and prints how long until every node was Ready, with each node's phases. */
  async start(
    spec: ClusterSpec<State>,
    options: ClusterCreateOptions,
  ): Promise<{ cluster: SandboxCluster<State>; kubectl: HostKubectl }> {
    this.#store = await xfsSeedStore();
    this.#stateDir = await tempDir(`sandkit-${this.#label}-state-`);
    this.#sk = new Sandkit({
      runtimes: [sysbox({ ...this.#mode.options, seedStore: this.#store.root, stateDir: this.#stateDir })],
    });
    const started = Date.now();
    const phases: string[] = [];
    const lastPhase = new Map<string, string>();
    this.#sk.on('node', ({ node, phase }) => {
      if (lastPhase.get(node) === phase) return;
      lastPhase.set(node, phase);
      phases.push(`${node} ${((Date.now() - started) / 1000).toFixed(1)} s ${phase}`);
    });
    const cluster = await this.#sk.cluster(spec, options);
    this.#cluster = cluster;
    console.log(
      `[${this.#label}] ${this.#mode.name}: ${cluster.nodes.length} nodes Ready ${Date.now() - started} ms after sk.cluster(); each node's phases:\n  ${phases.join('\n  ')}`,
    );
    // kubectl on the host, through the kubeconfig the cluster hands back.
    return { cluster, kubectl: await hostKubectl(cluster.state?.kubeconfig ?? '') };
  }

  /** Removes the cluster (and whatever a failed start left) and asserts nothing of it is left. */
  async close(): Promise<void> {
    await this.#sk?.close();
    if (this.#cluster)
      expect(
        await clusterLeftovers(this.#cluster, {
          stateDir: this.#stateDir,
          seedStore: this.#store?.root ?? '',
        }),
      ).toEqual(NOTHING_OF_THE_CLUSTER);
    await this.#store?.dispose();
  }
}
