import type { SeedSpec } from '@sandkit/core';
import type { CloneMethod } from './seed-store.js';

/** The strategy a seed resolved to, and why. */
export interface ResolvedSeedStrategy {
  strategy: 'load' | 'clone';
  /** For `clone`: how clones are made. */
  cloneMethod?: CloneMethod;
  reason: string;
}

/**
 * Resolves `seed.strategy` for an engine and store. `clone` needs the store on
 * the engine's host (a local engine); `auto` prefers clones — even plain
 * copies beat `docker load`, which writes the same bytes and also decompresses
 * and registers every layer — and falls back to `load` on remote engines.
 */
export function resolveSeedStrategy(
  seed: SeedSpec,
  engineIsLocal: boolean,
  store: { cloneMethod: CloneMethod; reason: string } | undefined,
): ResolvedSeedStrategy {
  const asked = seed.strategy ?? 'auto';
  if (asked === 'load')
    return {
      strategy: 'load',
      reason: 'seed.strategy is "load": images are streamed into each inner daemon',
    };
  if (!engineIsLocal || !store) {
    if (asked === 'clone')
      throw new Error(
        'seed.strategy "clone" needs a local engine: the golden data root lives on the engine\'s host',
      );
    return {
      strategy: 'load',
      reason:
        'the engine is remote, so no host store can be bind-mounted: images are streamed into each inner daemon',
    };
  }
  return {
    strategy: 'clone',
    cloneMethod: store.cloneMethod,
    reason: `${asked === 'auto' ? 'auto: ' : ''}each sandbox gets a clone of a golden data root; ${store.reason}`,
  };
}
