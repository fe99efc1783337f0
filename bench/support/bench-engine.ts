import type { Engine } from '@sandkit/core';
import { type OfflineImages, prepareHost } from '@sandkit/host-setup';

/** The engine (started if needed) and the offline images, for benchmarks. */
export function benchSetup(): Promise<{ engine: Engine; images: OfflineImages }> {
  return prepareHost((line) => console.log(`[setup] ${line}`));
}
