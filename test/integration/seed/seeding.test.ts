import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { CancelledError, createSession, type Sandbox, SeedFailedError } from '@sandkit/core';
import { detectSeedStore, gcGoldens, listGoldens, sysbox } from '@sandkit/runtime-sysbox';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { storePaths } from '../../../packages/runtime-sysbox/src/seed/seed-store.js';
import { leftovers, NOTHING_LEFT } from '../../support/engine.js';
import { xfsSeedStore } from '../../support/seed-store.js';
import { SYSTEM_CONTAINER_MODES } from '../../support/system-container-modes.js';
import { tempDir } from '../../support/temp-dir.js';

const images = inject('images');
const seedImages = [images.busybox, images.httpd];
const run = promisify(execFile);

async function innerImages(sb: Sandbox): Promise<string[]> {
  const { stdout } = await sb.exec(['docker', 'images', '--format', '{{.Repository}}:{{.Tag}}']);
  return stdout.trim().split('\n').filter(Boolean).sort();
}

const FALLBACK = { allowInsecure: 'always', onWarning: () => {} } as const;

for (const mode of SYSTEM_CONTAINER_MODES)
  describe.skipIf(mode.skipReason !== undefined)(`seeding (${mode.name}): load`, () => {
    it('streams the seed images into the inner daemon, with their tags, runnable', async () => {
      const session = createSession();
      const runtime = sysbox({ session, ...mode.options, seedStore: await tempDir('sandkit-seed-') });
      await using sb = await runtime.create({
        image: images.dind,
        pull: 'never',
        docker: 'isolated',
        seed: { images: seedImages, strategy: 'load' },
      });
      expect(await innerImages(sb)).toEqual([...seedImages].sort());
      expect((await sb.exec(['docker', 'run', '--rm', images.busybox, 'echo', 'seeded'])).stdout).toBe(
        'seeded\n',
      );
    });

    it('fails with SeedFailedError, before creating anything, for an image the host does not have', async () => {
      const session = createSession();
      const runtime = sysbox({ session, ...mode.options });
      const error = await runtime
        .create({
          image: images.dind,
          pull: 'never',
          docker: 'isolated',
          seed: { images: ['sandkit-test/absent:1'] },
        })
        .catch((e: unknown) => e);
      expect(SeedFailedError.is(error)).toBe(true);
      expect((error as Error).message).toContain('build, load or pull the image there first');
      expect(await leftovers({ session: session.id })).toEqual(NOTHING_LEFT);
    });
  });

for (const mode of SYSTEM_CONTAINER_MODES)
  describe.skipIf(mode.skipReason !== undefined)(
    `seeding (${mode.name}): clone, on a copy-on-write (XFS reflink) store`,
    () => {
      const session = createSession();
      let store: Awaited<ReturnType<typeof xfsSeedStore>>;
      let runtime: ReturnType<typeof sysbox>;
      let a: Sandbox;
      let b: Sandbox;

      beforeAll(async () => {
        store = await xfsSeedStore();
        runtime = sysbox({ session, ...mode.options, seedStore: store.root });
        const spec = {
          image: images.dind,
          pull: 'never' as const,
          docker: 'isolated' as const,
          seed: { images: seedImages },
        };
        a = await runtime.create(spec);
        b = await runtime.create(spec);
      });
      afterAll(async () => {
        await a?.destroy();
        await b?.destroy();
        await store?.dispose();
      });

      it('detects the store and picks reflink clones', async () => {
        const info = await detectSeedStore(store.root);
        expect(info).toMatchObject({ fileSystem: 'xfs', cloneMethod: 'reflink' });
      });

      it('gives every sandbox the seed images, with their tags, runnable', async () => {
        for (const sb of [a, b]) {
          expect(await innerImages(sb)).toEqual([...seedImages].sort());
          expect(
            (await sb.exec(['docker', 'run', '--rm', images.busybox, 'echo', 'from a clone'])).stdout,
          ).toBe('from a clone\n');
        }
      });

      it('builds one golden and gives each sandbox its own clone of it', async () => {
        const goldens = await listGoldens(await detectSeedStore(store.root));
        expect(goldens).toHaveLength(1);
        expect(goldens[0]?.clones.sort()).toEqual([a.id, b.id].sort());
      });

      it('keeps sandboxes from one golden apart, and the golden untouched', async () => {
        const [golden] = await listGoldens(await detectSeedStore(store.root));
        const repositories = join(golden?.path as string, 'image/overlay2/repositories.json');
        const before = await readFile(repositories, 'utf8');
        await a.exec(['docker', 'rmi', images.httpd]);
        await a.exec(['docker', 'tag', images.busybox, 'only-in-a:1']);
        expect(await innerImages(a)).toEqual([images.busybox, 'only-in-a:1'].sort());
        expect(await innerImages(b)).toEqual([...seedImages].sort());
        expect(await readFile(repositories, 'utf8')).toBe(before);
      });

      it("removes a sandbox's clone with it", async () => {
        const c = await runtime.create({
          image: images.dind,
          pull: 'never',
          docker: 'isolated',
          seed: { images: seedImages },
        });
        const clone = join(storePaths(store.root).clones, c.id);
        expect(existsSync(clone)).toBe(true);
        await c.destroy();
        expect(existsSync(clone)).toBe(false);
      });

      it('garbage-collects only goldens no live sandbox uses', async () => {
        const info = await detectSeedStore(store.root);
        const other = await runtime.create({
          image: images.dind,
          pull: 'never',
          docker: 'isolated',
          seed: { images: [images.busybox] },
        });
        await other.destroy();
        expect(await listGoldens(info)).toHaveLength(2);
        const removed = await gcGoldens(info, { minIdleMs: 0 });
        expect(removed).toHaveLength(1);
        const [kept] = await listGoldens(info);
        expect(kept?.clones.sort()).toEqual([a.id, b.id].sort());
      });
    },
  );

describe('seeding: golden builds are safe', () => {
  it('builds a golden once when two processes want it at the same time', async () => {
    const root = await tempDir('sandkit-seed-');
    const log = join(root, 'builds.log');
    const child = join(import.meta.dirname, '../../support/golden-child.mjs');
    const results = await Promise.all(
      [1, 2].map(() => run(process.execPath, [child, root, 'a'.repeat(64), log])),
    );
    expect((await readFile(log, 'utf8')).trim().split('\n')).toHaveLength(1);
    const outcomes = results.map(
      (r) => JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as { built: boolean; path: string },
    );
    expect(outcomes.map((o) => o.built).sort()).toEqual([false, true]);
    expect(await readFile(join(outcomes[0]?.path as string, 'content'), 'utf8')).toBe('golden');
  });

  it('takes over at once from a builder killed mid-build, and removes what it left', async () => {
    const root = await tempDir('sandkit-seed-');
    const log = join(root, 'builds.log');
    const child = join(import.meta.dirname, '../../support/golden-child.mjs');
    const key = 'b'.repeat(64);
    const killed = spawn(process.execPath, [child, root, key, log, '60000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    for await (const line of createInterface({ input: killed.stdout })) if (line === 'building') break;
    expect(await readdir(storePaths(root).building)).toHaveLength(1);
    killed.kill('SIGKILL');
    await once(killed, 'exit');

    const started = Date.now();
    const { stdout } = await run(process.execPath, [child, root, key, log, '0']);
    const tookMs = Date.now() - started;
    console.log(`[seed] golden built ${tookMs} ms after its first builder was killed`);
    expect(tookMs).toBeLessThan(5_000); // not the lock's 30 s staleness
    expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toMatchObject({ built: true });
    expect(await readdir(storePaths(root).building)).toEqual([]);
    expect((await readFile(log, 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it.each([
    ['aborted by its signal', { signal: AbortSignal.timeout(1_200) }],
    ['past its timeoutMs', { timeoutMs: 1_200 }],
  ])(
    'leaves no partial golden and nothing on the engine when creation is %s during the build',
    async (_, options) => {
      const session = createSession();
      const root = await tempDir('sandkit-seed-');
      const runtime = sysbox({ session, ...FALLBACK, seedStore: root });
      const error = await runtime
        .create(
          {
            image: images.dind,
            pull: 'never',
            docker: 'isolated',
            seed: { images: seedImages, strategy: 'clone' },
          },
          options,
        )
        .catch((e: unknown) => e);
      expect(CancelledError.is(error)).toBe(true);
      expect((error as CancelledError).timedOut).toBe(true);
      const paths = storePaths(root);
      expect(await readdir(paths.goldens)).toEqual([]);
      expect(await readdir(paths.building)).toEqual([]);
      expect(await readdir(paths.clones)).toEqual([]);
      expect(await leftovers({ session: session.id })).toEqual(NOTHING_LEFT);
    },
  );
});
