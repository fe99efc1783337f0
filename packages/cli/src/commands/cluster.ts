import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  CancelledError,
  type ClusterSpec,
  InvalidArgumentError,
  type KubeadmState,
  type KubernetesState,
  kubeadm,
  kubernetes,
  type SandboxSpec,
  Sandkit,
  type SwarmState,
  swarm,
} from '@sandkit/core';
import {
  connectEngine,
  createDetachedSession,
  engineLabelFilters,
  LABEL,
  sweepByLabel,
} from '@sandkit/core/runtime';
import { buildKubeadmImages, buildKubernetesImages } from '@sandkit/host-setup';
import { outputMode, Reporter } from '../output/reporter.js';
import { cliRuntimes, type RuntimeFlags } from '../runtimes.js';

/** Options of `sandkit cluster up`. */
export interface ClusterUpOptions extends RuntimeFlags {
  name: string;
  managers: string;
  workers: string;
  image: string;
  seed: string[];
  preset: 'swarm' | 'kubernetes' | 'kubeadm' | 'none';
  /** With `--preset kubernetes|kubeadm`: the directory of Kubernetes executables the images are built from. */
  kubernetesBinaries?: string;
  /** With `--preset kubernetes|kubeadm`: where the cluster's kubeconfig is written. */
  kubeconfig?: string;
  ttl: string;
  json?: boolean;
}

/** The node image `--image` means when it is not given. */
export const DEFAULT_NODE_IMAGE = 'sandkit/dind:latest';

/** What `cluster up` makes for a preset: the spec, and how to report what its bootstrap left. */
interface PresetPlan {
  spec: ClusterSpec<SwarmState | KubernetesState | KubeadmState>;
  report(state: unknown, reporter: Reporter): Promise<Record<string, unknown>>;
}

/** Refuses, listing every problem, options a Kubernetes `cluster up` cannot use; before anything is looked up or built. */
function assertKubernetesOptions(options: ClusterUpOptions): void {
  if (options.preset !== 'kubernetes' && options.preset !== 'kubeadm') return;
  const issues = [
    ...(options.kubernetesBinaries
      ? []
      : [
          {
            path: '--kubernetes-binaries',
            problem: 'not given: the node image is built from the Kubernetes executables in it',
            allowed:
              'a directory with kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl, pause (and kubeadm for --preset kubeadm), plain or .gz',
          },
        ]),
    ...(options.managers === '1'
      ? []
      : [
          {
            path: '--managers',
            problem: `${options.managers}: a Kubernetes cluster here has one control-plane node`,
            allowed: '1 (the default)',
          },
        ]),
    ...(options.image === DEFAULT_NODE_IMAGE
      ? []
      : [
          {
            path: '--image',
            problem: `not used with --preset ${options.preset}: the node image is built from --kubernetes-binaries`,
            allowed: 'no --image',
          },
        ]),
  ];
  if (issues.length > 0) throw new InvalidArgumentError(`cluster up --preset ${options.preset}`, issues);
}

/** The cluster spec of `cluster up`'s options; a Kubernetes cluster's node images are built (or found) first. */
async function planPreset(options: ClusterUpOptions, reporter: Reporter): Promise<PresetPlan> {
  const base: Omit<SandboxSpec, 'image'> = {
    ttlMs: Number(options.ttl) * 60_000,
    // --allow-insecure is the operator saying these nodes may run on the privileged fallback.
    ...(options.allowInsecure ? { trust: 'trusted' as const } : {}),
  };
  if (options.preset !== 'kubernetes' && options.preset !== 'kubeadm') {
    return {
      spec: {
        name: options.name,
        nodes: {
          manager: { count: Number(options.managers) },
          ...(Number(options.workers) > 0 ? { worker: { count: Number(options.workers) } } : {}),
        },
        spec: {
          ...base,
          image: options.image,
          ...(options.seed.length ? { seed: { images: options.seed } } : {}),
        },
        ...(options.preset === 'swarm' ? { preset: swarm() } : {}),
      },
      report: async (state) => {
        const limits = (state as SwarmState | undefined)?.limits ?? [];
        for (const limit of limits) reporter.warn(limit);
        return state ? { swarm: { kernel: (state as SwarmState).kernel, limits } } : {};
      },
    };
  }
  const binaries = options.kubernetesBinaries as string;
  const log = (line: string) => reporter.info(`  ${line}`);
  const built = await reporter.phase('building the Kubernetes images (cached by content)', async () => {
    const engine = await connectEngine();
    if (options.preset === 'kubernetes') {
      const images = await buildKubernetesImages(engine, binaries, log);
      return {
        node: images.node,
        seed: [images.pause],
        preset: kubernetes({
          pauseImage: images.pause,
          scheduleOnControlPlane: Number(options.workers) === 0,
        }),
      };
    }
    const images = await buildKubeadmImages(engine, binaries, log);
    return {
      node: images.node,
      seed: images.kubeadm,
      preset: kubeadm({
        imageRepository: images.imageRepository,
        kubernetesVersion: images.kubernetesVersion,
        etcdImageTag: images.etcdImageTag,
        scheduleOnControlPlane: Number(options.workers) === 0,
      }),
    };
  });
  const kubeconfigPath = resolve(options.kubeconfig ?? `${options.name}.kubeconfig`);
  return {
    spec: {
      name: options.name,
      nodes: {
        'control-plane': { count: 1 },
        ...(Number(options.workers) > 0 ? { worker: { count: Number(options.workers) } } : {}),
      },
      spec: {
        ...base,
        image: built.node,
        pull: 'never',
        profile: 'kubernetes-node',
        seed: { images: [...built.seed, ...options.seed] },
      },
      preset: built.preset,
    },
    report: async (state) => {
      const { server, kubeconfig } = state as KubernetesState | KubeadmState;
      await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
      reporter.info(`kubectl --kubeconfig=${kubeconfigPath} get nodes   (API server ${server})`);
      return { kubernetes: { server, kubeconfig: kubeconfigPath } };
    },
  };
}

/**
 * `sandkit cluster up`: creates a cluster (by default a seeded swarm of one
 * manager and two workers; with `--preset kubernetes` or `kubeadm` one
 * control-plane node and the workers, its kubeconfig written to a file) that outlives the command, showing each node's
 * progress. It belongs to no process: `sandkit cluster down` removes it, and so
 * does any sweep once its ttl has passed. Ctrl-C while it is being made removes it.
 */
export async function clusterUpCommand(options: ClusterUpOptions): Promise<number> {
  const reporter = new Reporter(outputMode(options.json));
  // `cluster down NAME` finds it by name: a second cluster of that name would make it ambiguous.
  assertKubernetesOptions(options);
  const taken = (await listClusters()).find((c) => c.name === options.name);
  if (taken) throw new Error(`a cluster named ${options.name} exists (${taken.id}): choose another --name`);
  const sk = new Sandkit({
    runtimes: cliRuntimes(options, reporter),
    session: createDetachedSession(),
    watchdog: false,
  });
  const plan = await planPreset(options, reporter);
  // Nodes are named <role>-<n>: the longest is the last of the longest role.
  const nameWidth = Math.max(
    12,
    ...Object.entries(plan.spec.nodes).map(([role, { count }]) => `${role}-${count}`.length),
  );
  sk.on('node', ({ node, phase, sinceStartMs }) =>
    reporter.info(`  ${node.padEnd(nameWidth)} ${(sinceStartMs / 1000).toFixed(1).padStart(5)} s  ${phase}`, {
      event: 'node',
      node,
      phase,
      sinceStartMs,
    }),
  );
  const interrupted = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    reporter.warn(`${signal}: removing the cluster`);
    interrupted.abort(new Error(signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const cluster = await reporter.phase(`creating cluster ${options.name}`, () =>
      sk.cluster(plan.spec, { signal: interrupted.signal }),
    );
    const presetReport = await plan.report(cluster.state, reporter);
    const nodes = cluster.nodes.map((n) => ({
      name: n.name,
      role: n.role,
      address: n.address,
      sandbox: n.sandbox.id,
      dockerHost: n.sandbox.dockerHost,
    }));
    if (reporter.mode === 'json') {
      reporter.event({
        event: 'cluster',
        id: cluster.id,
        name: cluster.name,
        network: cluster.network,
        nodes,
        ...presetReport,
      });
    } else {
      reporter.info(`cluster ${cluster.name} (${cluster.id}) on ${cluster.network.subnet}:`);
      for (const n of nodes)
        reporter.info(`  ${n.name.padEnd(nameWidth)} ${n.address.padEnd(15)} DOCKER_HOST=${n.dockerHost}`);
      reporter.info(`expires in ${options.ttl} min; remove it with: sandkit cluster down ${cluster.name}`);
    }
    return 0;
  } catch (error) {
    if (CancelledError.is(error) && interrupted.signal.aborted) return 130;
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A cluster as `sandkit cluster ls` shows it. */
export interface ListedCluster {
  id: string;
  name: string;
  session: string;
  subnet: string | undefined;
  expiresAt?: string;
  nodes: Array<{ name: string; role: string; address: string | undefined; state: string; sandbox: string }>;
}

/** Every sandkit cluster on the engine: its network and its node containers, by label. */
export async function listClusters(): Promise<ListedCluster[]> {
  const { docker } = await connectEngine();
  const filters = JSON.stringify({ label: [...engineLabelFilters({}), LABEL.cluster] });
  const [networks, containers] = await Promise.all([
    docker.listNetworks({ filters }),
    docker.listContainers({ all: true, filters }),
  ]);
  return networks
    .map((network) => {
      const id = network.Labels?.[LABEL.cluster] ?? '';
      const expires = Number(network.Labels?.[LABEL.expiresAt]);
      return {
        id,
        name: network.Labels?.[LABEL.clusterName] ?? '',
        session: network.Labels?.[LABEL.session] ?? '',
        subnet: network.IPAM?.Config?.[0]?.Subnet,
        ...(Number.isFinite(expires) ? { expiresAt: new Date(expires).toISOString() } : {}),
        nodes: containers
          .filter((c) => c.Labels[LABEL.cluster] === id && c.Labels[LABEL.clusterNode])
          .map((c) => ({
            name: c.Labels[LABEL.clusterNode] ?? '',
            role: c.Labels[LABEL.clusterRole] ?? '',
            address: Object.values(c.NetworkSettings?.Networks ?? {})[0]?.IPAddress,
            state: c.State,
            sandbox: c.Labels[LABEL.sandbox] ?? '',
          }))
          .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** `sandkit cluster ls` */
export async function clusterLsCommand(options: { json?: boolean }): Promise<number> {
  const clusters = await listClusters();
  if (outputMode(options.json) === 'json') {
    process.stdout.write(`${JSON.stringify({ clusters }, null, 2)}\n`);
    return 0;
  }
  if (clusters.length === 0) process.stdout.write('no clusters\n');
  for (const c of clusters) {
    process.stdout.write(
      `${c.name} (${c.id}) ${c.subnet ?? ''}${c.expiresAt ? `  expires ${c.expiresAt}` : ''}\n`,
    );
    for (const n of c.nodes)
      process.stdout.write(
        `  ${n.name.padEnd(12)} ${n.role.padEnd(8)} ${(n.address ?? '').padEnd(15)} ${n.state}\n`,
      );
  }
  return 0;
}

/** `sandkit cluster down NAME|ID…`: removes every node, the network and the host paths of each cluster, by label. */
export async function clusterDownCommand(names: string[], options: { json?: boolean }): Promise<number> {
  const reporter = new Reporter(outputMode(options.json));
  const clusters = await listClusters();
  const selected = clusters.filter((c) => names.includes(c.name) || names.includes(c.id));
  const unknown = names.filter((n) => !clusters.some((c) => c.name === n || c.id === n));
  if (unknown.length > 0) {
    throw new Error(
      `no cluster named ${unknown.join(', ')} (there are: ${clusters.map((c) => c.name).join(', ') || 'none'})`,
    );
  }
  // Names are not unique (every sk.cluster() without one is "cluster"): a name must mean one cluster.
  for (const name of names) {
    const named = clusters.filter((c) => c.name === name);
    if (named.length > 1) {
      throw new Error(
        `${named.length} clusters are named ${name} (${named.map((c) => c.id).join(', ')}): give the id of the one to remove`,
      );
    }
  }
  const engine = await connectEngine();
  for (const cluster of selected) {
    const report = await reporter.phase(`removing cluster ${cluster.name} (${cluster.id})`, () =>
      sweepByLabel(engine, { cluster: cluster.id }),
    );
    reporter.event({ event: 'removed', cluster: cluster.id, name: cluster.name, ...report });
  }
  return 0;
}
