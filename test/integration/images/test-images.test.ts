import { createSession } from '@sandkit/core';
import { HTTPD_PAGE, HTTPD_PORT } from '@sandkit/host-setup';
import { socket } from '@sandkit/runtime-socket';
import { describe, expect, inject, it } from 'vitest';
import { leftovers, NOTHING_LEFT, testEngine } from '../../support/engine.js';

const images = inject('images');

describe('offline test images', () => {
  const session = createSession();
  const runtime = socket({ session });

  it('busybox runs any applet from PATH', async () => {
    await using sb = await runtime.create({ image: images.busybox, pull: 'never' });
    const result = await sb.exec([
      'sh',
      '-c',
      'echo hello from $(basename $(readlink -f $(which sh))) && id -u',
    ]);
    expect(result.stdout).toBe('hello from busybox\n0\n');
  });

  it('httpd serves its page and reports healthy', async () => {
    await using sb = await runtime.create({
      image: images.httpd,
      pull: 'never',
      ports: [HTTPD_PORT],
      readiness: { healthcheck: true },
    });
    const endpoint = await sb.endpoint(HTTPD_PORT);
    const body = await fetch(`http://${endpoint}/`).then((r) => r.text());
    expect(body).toBe(HTTPD_PAGE);
  });

  it('are labelled with the hash of their inputs, so unchanged inputs are never rebuilt', async () => {
    const { docker } = await testEngine();
    for (const ref of Object.values(images)) {
      const info = await docker.getImage(ref).inspect();
      const hash = info.Config.Labels?.['dev.sandkit.inputs-hash'];
      expect(hash).toMatch(/^[a-f0-9]{64}$/);
      expect(ref.endsWith(`:${hash?.slice(0, 16)}`)).toBe(true);
    }
  });

  it('leave nothing behind', async () => {
    expect(await leftovers({ session: session.id })).toEqual(NOTHING_LEFT);
  });
});
