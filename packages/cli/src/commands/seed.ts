import { join } from 'node:path';
import { createSession } from '@sandkit/core';
import {
  createLoopStore,
  DEFAULT_SEED_STORE,
  detectSeedStore,
  gcGoldens,
  listGoldens,
  sysbox,
} from '@sandkit/runtime-sysbox';
import { outputMode, Reporter } from '../output/reporter.js';

/** `sandkit seed build --image SANDBOX_IMAGE IMG…`: builds (or finds) the golden for a seed set. */
export async function seedBuildCommand(
  refs: string[],
  options: { image: string; allowInsecure?: boolean; seedStore?: string; json?: boolean },
): Promise<number> {
  const reporter = new Reporter(outputMode(options.json));
  const runtime = sysbox({
    session: createSession(),
    allowInsecure: options.allowInsecure === true,
    onWarning: (m) => reporter.warn(m),
    ...(options.seedStore ? { seedStore: options.seedStore } : {}),
  });
  // Creating one seeded sandbox builds the golden if needed; the sandbox itself is not kept.
  const sandbox = await reporter.phase(`building the golden for ${refs.join(', ')}`, () =>
    runtime.create({
      image: options.image,
      pull: 'never',
      docker: 'isolated',
      trust: 'trusted',
      seed: { images: refs, strategy: 'clone' },
    }),
  );
  await sandbox.destroy();
  return seedLsCommand(options);
}

/** `sandkit seed ls` */
export async function seedLsCommand(options: { seedStore?: string; json?: boolean }): Promise<number> {
  const store = await detectSeedStore(options.seedStore ?? DEFAULT_SEED_STORE);
  const goldens = await listGoldens(store);
  if (outputMode(options.json) === 'json') {
    process.stdout.write(`${JSON.stringify({ store, goldens }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`store ${store.root} (${store.fileSystem}, clones by ${store.cloneMethod})\n`);
  for (const g of goldens) {
    process.stdout.write(
      `  ${g.key.slice(0, 16)}  last used ${g.lastUsed.toISOString()}  ${g.clones.length} live clone(s)  ${g.images.join(', ') || '(images not recorded)'}\n`,
    );
  }
  if (goldens.length === 0) process.stdout.write('  no goldens\n');
  return 0;
}

/** `sandkit seed gc` */
export async function seedGcCommand(options: {
  seedStore?: string;
  json?: boolean;
  idleMinutes?: string;
}): Promise<number> {
  const store = await detectSeedStore(options.seedStore ?? DEFAULT_SEED_STORE);
  const removed = await gcGoldens(store, { minIdleMs: Number(options.idleMinutes ?? 10) * 60_000 });
  if (outputMode(options.json) === 'json') process.stdout.write(`${JSON.stringify({ removed })}\n`);
  else process.stdout.write(`removed ${removed.length} golden(s)\n`);
  return 0;
}

/** `sandkit seed mkstore --size 20G`: a loop-backed XFS (reflink) or btrfs seed store, for hosts that have neither. */
export async function seedMkstoreCommand(options: {
  size: string;
  fs: 'xfs' | 'btrfs';
  seedStore?: string;
  json?: boolean;
}): Promise<number> {
  const reporter = new Reporter(outputMode(options.json));
  const root = options.seedStore ?? DEFAULT_SEED_STORE;
  const sizeBytes = parseSize(options.size);
  const { ensureDebianPackages } = await import('@sandkit/host-setup');
  await reporter.phase(`creating a ${options.size} ${options.fs} store at ${root}`, async () => {
    await ensureDebianPackages(
      options.fs === 'xfs' ? { '/usr/sbin/mkfs.xfs': 'xfsprogs' } : { '/usr/bin/mkfs.btrfs': 'btrfs-progs' },
    );
    await createLoopStore({
      mountPoint: root,
      imageFile: join(`${root}.img`),
      sizeBytes,
      fileSystem: options.fs,
    });
  });
  return seedLsCommand(options);
}

/** `20G`, `512M`, `1073741824` → bytes. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)i?B?$/i.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a size (use e.g. 20G or 512M)`);
  const power = ' KMGT'.indexOf((match[2] || ' ').toUpperCase());
  return Math.round(Number(match[1]) * 1024 ** power);
}
