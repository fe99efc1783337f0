import { type Engine, InvalidSpecError, type SeedSpec } from '@sandkit/core';
import { type GoldenInputs, goldenKey } from './golden-key.js';
import { type EnsureGoldenOptions, ensureGolden } from './golden-store.js';
import { resolveSeedImages, type SeedImage } from './load-seed-images.js';
import { detectSeedStore, type SeedStoreInfo } from './seed-store.js';
import { type ResolvedSeedStrategy, resolveSeedStrategy } from './seed-strategy.js';

/** How one sandbox gets its seed images. */
export type SeedPlan =
  | { strategy: 'load'; images: SeedImage[]; reason: string; archives: string }
  | {
      strategy: 'clone';
      images: SeedImage[];
      reason: string;
      store: SeedStoreInfo;
      golden: string;
      goldenBuilt: boolean;
    };

/**
 * Decides how a sandbox is seeded and, for clones, makes sure the golden data
 * root exists (building it through `buildGolden` when it does not).
 */
export async function planSeed(args: {
  engine: Engine;
  seed: SeedSpec;
  storeRoot: string;
  sandboxImage: string;
  storageDriver: string;
  userNamespace: boolean;
  buildGolden: (dataRoot: string, images: SeedImage[]) => Promise<void>;
  /** Notes a golden's build directory for sweeps (see {@link EnsureGoldenOptions.journal}). */
  journal?: EnsureGoldenOptions['journal'];
  signal?: AbortSignal;
}): Promise<SeedPlan> {
  const { engine, seed } = args;
  const images = await resolveSeedImages(engine, seed.images);
  const store = engine.isLocal ? await detectSeedStore(args.storeRoot) : undefined;
  let resolved: ResolvedSeedStrategy;
  try {
    resolved = resolveSeedStrategy(seed, engine.isLocal, store);
  } catch (error) {
    throw new InvalidSpecError([
      { path: 'seed.strategy', problem: (error as Error).message, allowed: '"load" or "auto"' },
    ]);
  }
  const archives = `${args.storeRoot}/archives`;
  if (resolved.strategy === 'load' || !store)
    return { strategy: 'load', images, reason: resolved.reason, archives };
  const inputs: GoldenInputs = {
    images,
    daemonImageId: (await engine.docker.getImage(args.sandboxImage).inspect()).Id,
    storageDriver: args.storageDriver,
    userNamespace: args.userNamespace,
  };
  const golden = await ensureGolden(
    store,
    goldenKey(inputs),
    (dataRoot) => args.buildGolden(dataRoot, images),
    {
      images: images.map((image) => image.ref),
      ...(args.signal ? { signal: args.signal } : {}),
      ...(args.journal ? { journal: args.journal } : {}),
    },
  );
  return {
    strategy: 'clone',
    images,
    reason: resolved.reason,
    store,
    golden: golden.path,
    goldenBuilt: golden.built,
  };
}
