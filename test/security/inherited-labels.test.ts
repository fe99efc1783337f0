import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSession, Sandkit } from '@sandkit/core';
import { LABEL } from '@sandkit/core/runtime';
import { socket } from '@sandkit/runtime-socket';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testEngine } from '../support/engine.js';
import { tempDir } from '../support/temp-dir.js';

const images = inject('images');

describe("an image's own dev.sandkit.* labels", () => {
  let victim: string;
  let image: string;
  beforeAll(async () => {
    // A directory sandkit's cleanup would remove if a label named it (a path with a "sandkit" part).
    victim = join(await tempDir('sandkit-victim-'), 'sandkit-state');
    await mkdir(victim);
    image = `sandkit-test/labelled:${createSession().id.slice(-12)}`;
    const context = await tempDir('sandkit-labelled-image-');
    await writeFile(
      join(context, 'Dockerfile'),
      [
        `FROM ${images.busybox}`,
        `LABEL ${LABEL.hostPaths}='${JSON.stringify([victim])}'`,
        `LABEL ${LABEL.expiresAt}=1`,
        '',
      ].join('\n'),
    );
    await execa('docker', [
      'build',
      '-q',
      '-t',
      image,
      '--label',
      'dev.sandkit.test=inherited-labels',
      context,
    ]);
  });
  afterAll(async () => {
    const { docker } = await testEngine();
    await docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => {});
  });

  it('never name host paths for cleanup to remove, nor an expiry, on a sandbox made from that image', async () => {
    const session = createSession();
    const sb = await socket({ session }).create({ image, pull: 'never', cmd: ['sleep', '600'] });
    const { docker } = await testEngine();
    const labels = (await docker.getContainer(sb.containerId).inspect()).Config.Labels;
    expect(labels[LABEL.hostPaths]).toBe('[]');
    expect(labels[LABEL.expiresAt]).toBe('never');
    // An expiry sweep (a gc) leaves it alone; destroying it leaves the named directory alone.
    await using sk = new Sandkit({ runtimes: [socket()], watchdog: false });
    await sk.gc();
    expect((await sb.status()).running).toBe(true);
    await sb.destroy();
    expect(existsSync(victim)).toBe(true);
  });
});
