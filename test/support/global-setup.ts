import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OfflineImages, prepareHost } from '@sandkit/host-setup';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    images: OfflineImages;
    /** Directory under which tests make their temporary directories; removed after the run. */
    tempRoot: string;
  }
}

/** Runs once before the engine tests: an engine that answers (started if needed) and the offline test images. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => console.log(`[setup] ${line}`);
  const started = Date.now();
  const { engine, images } = await prepareHost(log);
  log(
    `engine ${engine.address} (${engine.source}); test images ready in ${Date.now() - started} ms: ${Object.values(images).join(', ')}`,
  );
  project.provide('images', images);
  const tempRoot = await mkdtemp(join(tmpdir(), 'sandkit-tests-'));
  project.provide('tempRoot', tempRoot);
  return () => rm(tempRoot, { recursive: true, force: true });
}
