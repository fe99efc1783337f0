/**
 * Seeded sandbox start: create → ready and the extra disk each sandbox costs,
 * for seed sets of ~2 MB (busybox) and ~200 MB (the dind image itself), one
 * sandbox and four in parallel (plus ~350 MB: the dind image with a 150 MB
 * incompressible layer), with no seed, `load`, `clone` by plain copy
 * (ext4 store) and `clone` by reflink (a loop-mounted XFS store), on the
 * insecure fallback (`sysbox-seed-start.ts` measures the same under a real Sysbox).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSession, type Sandbox, type SandboxSpec } from '@sandkit/core';
import { sysbox } from '@sandkit/runtime-sysbox';
import { sweepByLabel } from '../packages/core/src/engine/sweep-by-label.js';
import { xfsSeedStore } from '../test/support/seed-store.js';
import { benchSetup } from './support/bench-engine.js';
import { buildPaddedImage } from './support/padded-image.js';
import { report, round } from './support/report.js';
import { usedBytes } from './support/used-bytes.js';

const { engine, images } = await benchSetup();
const session = createSession();
const copyStore = await mkdtemp(join(tmpdir(), 'sandkit-bench-seed-'));
const xfs = await xfsSeedStore(4 * 1024 ** 3);

interface Way {
  name: string;
  store: string;
  /** File system the per-sandbox data lands on. */
  diskPath: string;
  seed?: (refs: string[]) => SandboxSpec['seed'];
}
const ways: Way[] = [
  { name: 'no seed', store: copyStore, diskPath: '/var/lib/docker' },
  {
    name: 'load',
    store: copyStore,
    diskPath: '/var/lib/docker',
    seed: (refs) => ({ images: refs, strategy: 'load' }),
  },
  {
    name: 'clone, plain copy (ext4)',
    store: copyStore,
    diskPath: copyStore,
    seed: (refs) => ({ images: refs, strategy: 'clone' }),
  },
  {
    name: 'clone, reflink (XFS)',
    store: xfs.root,
    diskPath: xfs.root,
    seed: (refs) => ({ images: refs, strategy: 'clone' }),
  },
];
const padded = await buildPaddedImage(engine, images.dind, 150);
const seedSets = [
  { name: 'busybox (~2 MB)', refs: [images.busybox] },
  { name: 'dind image (~200 MB)', refs: [images.dind] },
  { name: 'dind + 150 MB layer (~350 MB)', refs: [padded] },
];

const rows = [];
try {
  for (const set of seedSets) {
    for (const way of ways) {
      if (!way.seed && set !== seedSets[0]) continue; // "no seed" does not depend on the set
      const runtime = sysbox({
        engine,
        session,
        allowInsecure: 'always',
        onWarning: () => {},
        seedStore: way.store,
      });
      const spec: SandboxSpec = {
        image: images.dind,
        pull: 'never',
        docker: 'isolated',
        ...(way.seed ? { seed: way.seed(set.refs) } : {}),
      };
      // One-time cost (golden build, archive save), measured and then excluded.
      let t = performance.now();
      await (await runtime.create(spec)).destroy();
      const firstMs = performance.now() - t;

      const singles: number[] = [];
      for (let i = 0; i < 3; i++) {
        t = performance.now();
        const sb = await runtime.create(spec);
        singles.push(performance.now() - t);
        await sb.destroy();
      }
      const before = await usedBytes(way.diskPath);
      t = performance.now();
      const four: Sandbox[] = await Promise.all([1, 2, 3, 4].map(() => runtime.create(spec)));
      const fourMs = performance.now() - t;
      const extraPerSandbox = ((await usedBytes(way.diskPath)) - before) / 4;
      await Promise.all(four.map((s) => s.destroy()));
      rows.push({
        seed: way.seed ? set.name : '-',
        way: way.name,
        'first (one-time) ms': round(firstMs, 0),
        '1 sandbox ms (median of 3)': round([...singles].sort((a, b) => a - b)[1] as number, 0),
        '4 in parallel ms (wall)': round(fourMs, 0),
        'extra disk per sandbox MB': round(extraPerSandbox / 1024 ** 2, 1),
      });
      console.log(rows.at(-1));
    }
  }
  report('seed-start', rows, {
    note: 'extra disk = growth of the file system holding the sandbox data roots while four sandboxes are alive, divided by four',
  });
} finally {
  await sweepByLabel(engine, { session: session.id });
  await xfs.dispose();
  await rm(copyStore, { recursive: true, force: true });
}
