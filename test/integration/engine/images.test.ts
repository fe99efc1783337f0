import { ImagePullError } from '@sandkit/core';
import { ensureImage, imageExists, loadImages, saveImages } from '@sandkit/core/runtime';
import { describe, expect, inject, it } from 'vitest';
import { testEngine } from '../../support/engine.js';

const images = inject('images');

describe('engine layer: images', () => {
  it('does not pull an image that is present, with the default "missing" policy', async () => {
    const engine = await testEngine();
    const pulls: string[] = [];
    await ensureImage(engine, images.busybox, { onProgress: (e) => pulls.push(String(e.status)) });
    expect(pulls).toEqual([]);
  });

  it('refuses to pull with the "never" policy, saying what to do', async () => {
    const engine = await testEngine();
    const error = await ensureImage(engine, 'sandkit-test/absent:1', { policy: 'never' }).catch(
      (e: unknown) => e,
    );
    expect(ImagePullError.is(error)).toBe(true);
    expect((error as Error).message).toContain('Build or load the image first');
  });

  it('reports a failed pull as ImagePullError, and shares one pull among concurrent callers', async () => {
    const engine = await testEngine();
    const pull = engine.docker.pull.bind(engine.docker);
    let calls = 0;
    // Count the engine pulls made (the real engine answers; nothing is faked).
    engine.docker.pull = ((...args: Parameters<typeof pull>) => {
      calls++;
      return pull(...args);
    }) as typeof pull;
    try {
      const ref = 'registry.invalid/sandkit/none:1';
      const results = await Promise.allSettled([
        ensureImage(engine, ref),
        ensureImage(engine, ref),
        ensureImage(engine, ref),
      ]);
      expect(results.every((r) => r.status === 'rejected' && ImagePullError.is(r.reason))).toBe(true);
      expect(calls).toBe(1);
      expect(((results[0] as PromiseRejectedResult).reason as Error).message).toContain(
        'Could not pull image registry.invalid/sandkit/none:1',
      );
    } finally {
      engine.docker.pull = pull;
    }
  });

  it('saves images as a stream and loads them back with their tags', async () => {
    const engine = await testEngine();
    const tag = `sandkit-test/busybox:roundtrip-${process.pid}`;
    await engine.docker
      .getImage(images.busybox)
      .tag({ repo: 'sandkit-test/busybox', tag: `roundtrip-${process.pid}` });
    const tar = await saveImages(engine, [tag]);
    await engine.docker.getImage(tag).remove();
    expect(await imageExists(engine, tag)).toBe(false);
    expect(await loadImages(engine, tar)).toEqual([tag]);
    expect(await imageExists(engine, tag)).toBe(true);
    await engine.docker.getImage(tag).remove();
  });
});
