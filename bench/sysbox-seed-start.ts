/**
 * Seeded start under a real Sysbox: create → inner daemon ready, and the extra
 * disk each sandbox costs, for sandkit's `clone` (reflink, XFS store) and `load`
 * against Sysbox's own preload (the seed committed into the sandbox image, which
 * sysbox-mgr copies into each container at start) and against unseeded starts
 * of both (sandkit's, and a fair naive one: dockerode create/start under
 * sysbox-runc, `/_ping` polled through a host socket, `remove({ force })`).
 * Prints why and measures nothing where the engine has no Sysbox.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSession, type Engine, type SandboxSpec } from '@sandkit/core';
import { LABEL, unixSocketClient } from '@sandkit/core/runtime';
import { sysbox } from '@sandkit/runtime-sysbox';
import { sweepByLabel } from '../packages/core/src/engine/sweep-by-label.js';
import { xfsSeedStore } from '../test/support/seed-store.js';
import { benchSetup } from './support/bench-engine.js';
import { report, round } from './support/report.js';
import { usedBytes } from './support/used-bytes.js';
import { waitForPing } from './support/wait-for-ping.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const { engine, images } = await benchSetup();
const probe = await sysbox({ engine }).probe();
if (!probe.available) {
  console.log(`[bench] sysbox-seed-start: skipped, needs Sysbox: ${probe.reasons.join('; ')}`);
  report('sysbox-seed-start', [], { skipped: probe.reasons.join('; ') });
  process.exit(0);
}

const session = createSession();
const labels = { [LABEL.managed]: 'true', [LABEL.session]: session.id };
const seed = [images.dind];
const seedBytes = (await engine.docker.getImage(images.dind).inspect()).Size;
const xfs = await xfsSeedStore(4 * 1024 ** 3);
const loadStore = await mkdtemp(join(tmpdir(), 'sandkit-bench-load-'));
const sockets = await mkdtemp(join(tmpdir(), 'sandkit-bench-sock-'));

/** One way to get a ready, seeded (or unseeded) inner daemon; `start` resolves with its teardown. */
interface Way {
  name: string;
  /** The file system that per-sandbox data lands on. */
  diskPath: string;
  seeded: boolean;
  start(): Promise<() => Promise<void>>;
}

function sandkitWay(name: string, store: string, diskPath: string, seedSpec?: SandboxSpec['seed']): Way {
  const runtime = sysbox({ engine, session, seedStore: store });
  const spec: SandboxSpec = {
    image: images.dind,
    pull: 'never',
    docker: 'isolated',
    ...(seedSpec ? { seed: seedSpec } : {}),
  };
  return {
    name,
    diskPath,
    seeded: seedSpec !== undefined,
    start: async () => {
      const sb = await runtime.create(spec);
      return () => sb.destroy();
    },
  };
}

let rawCount = 0;
/** The naive way, under sysbox-runc: create, start, poll `/_ping` on a bind-mounted host socket, remove. */
function rawWay(name: string, image: string, seeded: boolean): Way {
  return {
    name,
    diskPath: '/var/lib',
    seeded,
    start: async () => {
      const dir = join(sockets, String(rawCount++));
      await mkdir(dir);
      const container = await engine.docker.createContainer({
        Image: image,
        Labels: labels,
        Cmd: ['dockerd', '--host=unix:///run/bench/docker.sock', '--storage-driver=overlay2'],
        HostConfig: { Runtime: 'sysbox-runc', Binds: [`${dir}:/run/bench`] },
      });
      await container.start();
      await waitForPing(unixSocketClient(join(dir, 'docker.sock')));
      return async () => {
        await container.remove({ force: true, v: true });
        await rm(dir, { recursive: true, force: true });
      };
    },
  };
}

/** Sysbox's own preload: an inner daemon loads the seed, the container is committed as a new image. */
async function buildPreloadedImage(host: Engine): Promise<string> {
  const dir = join(sockets, 'preload');
  await mkdir(dir);
  const container = await host.docker.createContainer({
    Image: images.dind,
    Labels: labels,
    Cmd: ['dockerd', '--host=unix:///run/bench/docker.sock', '--storage-driver=overlay2'],
    HostConfig: { Runtime: 'sysbox-runc', Binds: [`${dir}:/run/bench`] },
  });
  await container.start();
  const inner = unixSocketClient(join(dir, 'docker.sock'));
  await waitForPing(inner);
  const archive = await host.docker.getImage(images.dind).get();
  await new Promise((resolve, reject) =>
    inner.loadImage(archive, (error: Error | null, stream: NodeJS.ReadableStream) => {
      if (error) return reject(error);
      inner.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve(null)));
    }),
  );
  await container.stop({ t: 30 });
  const tag = `sandkit-bench/preloaded:${session.id.slice(-12)}`;
  const [repo, version] = tag.split(':') as [string, string];
  await container.commit({ repo, tag: version, changes: [`LABEL ${LABEL.session}=${session.id}`] });
  await container.remove({ v: true });
  return tag;
}

const rows: Array<Record<string, string | number>> = [];
try {
  const preloaded = await buildPreloadedImage(engine);
  const ways: Way[] = [
    rawWay('naive, no seed', images.dind, false),
    sandkitWay('sandkit, no seed', loadStore, '/var/lib'),
    sandkitWay('sandkit, load', loadStore, '/var/lib', { images: seed, strategy: 'load' }),
    sandkitWay('sandkit, clone (reflink, XFS)', xfs.root, xfs.root, { images: seed, strategy: 'clone' }),
    rawWay("Sysbox's preload (seed committed into the image)", preloaded, true),
  ];
  const medians = new Map<string, number>();
  for (const way of ways) {
    await (await way.start())(); // one-time work (golden build, archive save, page cache) excluded
    const singles: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      const stop = await way.start();
      singles.push(performance.now() - t);
      await stop();
    }
    const before = await usedBytes(way.diskPath);
    const t = performance.now();
    const four = await Promise.all([1, 2, 3, 4].map(() => way.start()));
    const fourMs = performance.now() - t;
    const extraPerSandbox = ((await usedBytes(way.diskPath)) - before) / 4;
    await Promise.all(four.map((stop) => stop()));
    const median = [...singles].sort((a, b) => a - b)[Math.floor(singles.length / 2)] as number;
    medians.set(way.name, median);
    rows.push({
      way: way.name,
      seed: way.seeded ? `dind image (${round(seedBytes / 1024 ** 2, 0)} MB)` : '-',
      [`1 sandbox ms (median of ${ROUNDS})`]: round(median, 0),
      '4 in parallel ms (wall)': round(fourMs, 0),
      'extra disk per sandbox MB': round(extraPerSandbox / 1024 ** 2, 1),
      'extra disk, % of seed': way.seeded ? round((100 * extraPerSandbox) / seedBytes, 1) : '-',
    });
    console.log(rows.at(-1));
  }
  const ratio = (a: string, b: string) => round((medians.get(a) as number) / (medians.get(b) as number));
  report('sysbox-seed-start', rows, {
    runtime: `Sysbox ${probe.facts.sysboxVersion ?? ''}`.trim(),
    ratios: {
      'sandkit clone / sandkit no seed': ratio('sandkit, clone (reflink, XFS)', 'sandkit, no seed'),
      'sandkit load / sandkit no seed': ratio('sandkit, load', 'sandkit, no seed'),
      'Sysbox preload / naive no seed': ratio(
        "Sysbox's preload (seed committed into the image)",
        'naive, no seed',
      ),
      'sandkit no seed / naive no seed': ratio('sandkit, no seed', 'naive, no seed'),
    },
    note: 'extra disk = growth of the file system holding the per-sandbox data (the XFS store for clones, /var/lib otherwise) while four sandboxes are alive, divided by four; /var/lib is shared with the rest of the machine, so small figures there are noise',
  });
} finally {
  await sweepByLabel(engine, { session: session.id });
  const leftovers = await engine.docker.listImages({
    filters: JSON.stringify({ label: [`${LABEL.session}=${session.id}`] }),
  });
  for (const image of leftovers) await engine.docker.getImage(image.Id).remove({ force: true });
  await xfs.dispose();
  await rm(loadStore, { recursive: true, force: true });
  await rm(sockets, { recursive: true, force: true });
}
