import type { Engine } from '@sandkit/core';
import { ensureEngine } from '@sandkit/host-setup';
import { buildTestImages, type TestImages } from '../../test/images/index.js';

/** The engine (started if needed) and the offline test images, for benchmarks. */
export async function benchSetup(): Promise<{ engine: Engine; images: TestImages }> {
  const log = (line: string) => console.log(`[setup] ${line}`);
  const engine = await ensureEngine({ log });
  return { engine, images: await buildTestImages(engine, log) };
}
