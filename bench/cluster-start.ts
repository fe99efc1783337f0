/**
 * Cluster start: `sk.cluster()` of 3 and 5 nodes (one manager, the rest
 * workers) with the swarm preset, from create to every node Ready in the
 * swarm, and the extra disk each node costs while the cluster is alive —
 * seeded by `clone` (reflink, XFS store: one golden for all nodes), by `load`,
 * and the naive way (privileged dind containers, each `docker save | docker
 * load`-ing the seed, then swarm init/join through their APIs). Against one
 * seeded sandbox (clone), the goal being 3 nodes ready in ≤ 3× its time and
 * < 5 % of the seed in extra disk per node. Where Kubernetes executables are
 * at hand (`SANDKIT_K8S_BINARIES`, or `../shared/k8s/bin` beside the
 * repository), also a Kubernetes cluster (1 control plane + workers, the
 * kubernetes preset) from the call to every node Ready, its Pods' images
 * seeded by clone vs loaded into every node (goal: 3 nodes Ready ≤ 45 s).
 * Runs under Sysbox where the engine has it, else on the insecure fallback
 * (and says which).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSession, kubernetes, type SandboxSpec, Sandkit, swarm } from '@sandkit/core';
import { LABEL } from '@sandkit/core/runtime';
import { buildKubernetesImages, type KubernetesImages } from '@sandkit/host-setup';
import { sysbox } from '@sandkit/runtime-sysbox';
import { sweepByLabel } from '../packages/core/src/engine/sweep-by-label.js';
import { xfsSeedStore } from '../test/support/seed-store.js';
import { benchSetup } from './support/bench-engine.js';
import { naiveDindCluster } from './support/naive-dind-cluster.js';
import { report, round } from './support/report.js';
import { usedBytes } from './support/used-bytes.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SIZES = (process.env.BENCH_CLUSTER_SIZES ?? '3,5').split(',').map(Number);
const KUBERNETES_SIZES = (process.env.BENCH_KUBERNETES_SIZES ?? '3').split(',').map(Number);
const KUBERNETES_BINARIES =
  process.env.SANDKIT_K8S_BINARIES ?? join(import.meta.dirname, '../../shared/k8s/bin');
const { engine, images } = await benchSetup();
const useSysbox = (await sysbox({ engine }).probe()).available;
const runtimeOptions = useSysbox ? {} : ({ allowInsecure: 'always', onWarning: () => {} } as const);
const runtimeName = useSysbox ? 'real Sysbox' : 'insecure fallback (no Sysbox on the engine)';

const session = createSession();
const seed = [images.dind, images.httpd];
const bytesOf = async (refs: string[]) =>
  (await Promise.all(refs.map(async (ref) => (await engine.docker.getImage(ref).inspect()).Size))).reduce(
    (a, b) => a + b,
    0,
  );
const seedBytes = await bytesOf(seed);
const k8s: KubernetesImages | undefined =
  existsSync(join(KUBERNETES_BINARIES, 'kubelet.gz')) || existsSync(join(KUBERNETES_BINARIES, 'kubelet'))
    ? await buildKubernetesImages(engine, KUBERNETES_BINARIES, () => {})
    : undefined;
if (!k8s)
  console.warn(`[cluster-start] no Kubernetes rows: no Kubernetes executables in ${KUBERNETES_BINARIES}`);
// The Pods' images: as large a set as the swarm rows' seed, so that what seeding costs shows.
const k8sSeed = k8s ? [k8s.pause, ...seed] : [];
const k8sSeedBytes = await bytesOf(k8sSeed);
const xfs = await xfsSeedStore(6 * 1024 ** 3);
const loadStore = await mkdtemp(join(tmpdir(), 'sandkit-bench-cluster-load-'));
const sockets = await mkdtemp(join(tmpdir(), 'sandkit-bench-cluster-sock-'));

function sandkitOn(store: string): Sandkit {
  return new Sandkit({
    runtimes: [sysbox({ engine, session, seedStore: store, ...runtimeOptions })],
    session,
  });
}
const cloneKit = sandkitOn(xfs.root);
const loadKit = sandkitOn(loadStore);
const nodeSpec = (strategy: 'clone' | 'load'): SandboxSpec => ({
  image: images.dind,
  pull: 'never',
  trust: 'trusted',
  docker: 'isolated',
  seed: { images: seed, strategy },
});

/** One way to get an N-node cluster; `start` resolves with its teardown. */
interface Way {
  name: string;
  /** The file system per-node data lands on. */
  diskPath: string;
  /** The cluster sizes it is measured at. */
  sizes: number[];
  /** Bytes of the images it seeds each node with. */
  seedBytes: number;
  start(nodes: number): Promise<() => Promise<void>>;
}

const sandkitWay = (
  name: string,
  kit: Sandkit,
  strategy: 'clone' | 'load',
  diskPath: string,
  withSwarm = true,
): Way => ({
  name,
  diskPath,
  sizes: SIZES,
  seedBytes,
  start: async (nodes) => {
    const cluster = await kit.cluster({
      nodes: { manager: { count: 1 }, worker: { count: nodes - 1 } },
      spec: nodeSpec(strategy),
      ...(withSwarm ? { preset: swarm() } : {}),
    });
    return () => cluster.destroy();
  },
});
const ways: Way[] = [
  // What seeding itself costs: the nodes without a swarm (whose manager preallocates its raft log).
  sandkitWay('sandkit, clone (reflink, XFS), nodes only (no preset)', cloneKit, 'clone', xfs.root, false),
  sandkitWay('sandkit, clone (reflink, XFS)', cloneKit, 'clone', xfs.root),
  sandkitWay('sandkit, load', loadKit, 'load', '/var/lib'),
  {
    name: 'naive: privileged dind, each loading the seed',
    diskPath: '/var/lib',
    sizes: SIZES,
    seedBytes,
    start: async (nodes) => {
      const cluster = await naiveDindCluster({
        engine,
        image: images.dind,
        seed,
        nodes,
        labels: { [LABEL.managed]: 'true', [LABEL.session]: session.id },
        socketRoot: sockets,
      });
      return () => cluster.remove();
    },
  },
  ...(k8s
    ? (['clone', 'load'] as const).map(
        (strategy): Way => ({
          name: `kubernetes (1 control plane + workers), Pods' images ${strategy === 'clone' ? 'seeded by clone (reflink, XFS)' : 'loaded into every node'}`,
          // The control plane's etcd and the Pods' layers live in the nodes' root file systems, on the
          // host's disk (as does the XFS store's image file): the whole disk is measured, noise included.
          diskPath: '/',
          sizes: KUBERNETES_SIZES,
          seedBytes: k8sSeedBytes,
          start: async (nodes) => {
            const cluster = await (strategy === 'clone' ? cloneKit : loadKit).cluster({
              nodes: { 'control-plane': { count: 1 }, worker: { count: nodes - 1 } },
              spec: {
                image: k8s.node,
                pull: 'never',
                trust: 'trusted',
                profile: 'kubernetes-node',
                seed: { images: k8sSeed, strategy },
              },
              preset: kubernetes({ pauseImage: k8s.pause }),
            });
            return () => cluster.destroy();
          },
        }),
      )
    : []),
];

const median = (samples: number[]) =>
  [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number;
async function timedStart(start: () => Promise<() => Promise<void>>): Promise<number> {
  const t = performance.now();
  const stop = await start();
  const ms = performance.now() - t;
  await stop();
  return ms;
}
/** A way's name contains this (`BENCH_CLUSTER_ONLY=kubernetes` measures only those). */
const only = process.env.BENCH_CLUSTER_ONLY ?? '';
const measured = ways.filter((way) => way.name.includes(only));
const oneSandbox = async () => {
  const sb = await cloneKit.create(nodeSpec('clone'));
  return () => sb.destroy();
};

const rows: Array<Record<string, string | number>> = [];
try {
  // The golden is built once (excluded, as are page-cache effects): one throwaway seeded sandbox first.
  await (await oneSandbox())();
  if (k8s)
    await (
      await cloneKit.create({
        image: k8s.node,
        pull: 'never',
        trust: 'trusted',
        docker: 'isolated',
        seed: { images: k8sSeed, strategy: 'clone' },
      })
    ).destroy();
  // Rounds interleave the ways (the yardstick included), so that load from elsewhere on this shared
  // machine falls on all of them alike rather than on whichever ran at the time.
  const samples = new Map<string, number[]>();
  const sample = (key: string, ms: number) => samples.set(key, [...(samples.get(key) ?? []), ms]);
  for (let round = 0; round < ROUNDS; round++) {
    sample('single', await timedStart(oneSandbox));
    for (const way of measured)
      for (const nodes of way.sizes) sample(`${way.name}/${nodes}`, await timedStart(() => way.start(nodes)));
  }
  const single = median(samples.get('single') as number[]);
  rows.push({
    way: 'one seeded sandbox (clone), the yardstick',
    nodes: 1,
    [`ready ms (median of ${ROUNDS})`]: round(single, 0),
    '× one seeded sandbox': 1,
    'extra disk per node MB': '-',
    'extra disk, % of seed': '-',
  });
  for (const way of measured) {
    for (const nodes of way.sizes) {
      const readyMs = median(samples.get(`${way.name}/${nodes}`) as number[]);
      const before = await usedBytes(way.diskPath);
      const stop = await way.start(nodes);
      const extraPerNode = ((await usedBytes(way.diskPath)) - before) / nodes;
      await stop();
      rows.push({
        way: way.name,
        nodes,
        [`ready ms (median of ${ROUNDS})`]: round(readyMs, 0),
        '× one seeded sandbox': round(readyMs / single),
        'extra disk per node MB': round(extraPerNode / 1024 ** 2, 1),
        'extra disk, % of seed': round((100 * extraPerNode) / way.seedBytes, 1),
      });
      console.log(rows.at(-1));
    }
  }
  report('cluster-start', rows, {
    runtime: runtimeName,
    seed: `${seed.join(' + ')} (${round(seedBytes / 1024 ** 2, 0)} MB)`,
    ...(k8s ? { kubernetesSeed: `${k8sSeed.join(' + ')} (${round(k8sSeedBytes / 1024 ** 2, 0)} MB)` } : {}),
    goals: {
      '3 nodes ready': '≤ 3× one seeded sandbox',
      'extra disk per node': '< 5 % of the seed',
      '3-node Kubernetes cluster Ready': '≤ 45 s, its images seeded copy-on-write',
    },
    note: "ready = from the call to every node Ready in the swarm, or in Kubernetes (the preset included); a swarm manager preallocates its raft write-ahead log (2 × 64 MB) whatever the seeding, which is most of the swarm rows' extra disk; extra disk = growth of the file system holding per-node data (the XFS store for clones, /var/lib otherwise: shared with the rest of the machine, so small figures there are noise) while the cluster is alive, per node",
  });
} finally {
  await cloneKit.close();
  await loadKit.close();
  await sweepByLabel(engine, { session: session.id });
  await xfs.dispose();
  await rm(loadStore, { recursive: true, force: true });
  await rm(sockets, { recursive: true, force: true });
}
