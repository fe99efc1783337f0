import { HTTPD_PAGE, HTTPD_PORT } from '@sandkit/host-setup';
import { socket } from '@sandkit/runtime-socket';
import { sandboxTest } from '@sandkit/vitest';
import { describe, expect, inject } from 'vitest';
import { testEngine } from '../../support/engine.js';

const images = inject('images');

// Each test gets a sandbox of its own from @sandkit/vitest, destroyed after it (its logs shown if it fails).
const it = sandboxTest({ runtimes: () => [socket()], spec: { image: images.busybox, pull: 'never' } });

describe('offline test images', () => {
  it('busybox runs any applet from PATH', async ({ sandbox }) => {
    const result = await sandbox.exec([
      'sh',
      '-c',
      'echo hello from $(basename $(readlink -f $(which sh))) && id -u',
    ]);
    expect(result.stdout).toBe('hello from busybox\n0\n');
  });

  describe('httpd', () => {
    it.override({
      spec: { image: images.httpd, pull: 'never', ports: [HTTPD_PORT], readiness: { healthcheck: true } },
    });

    it('serves its page and reports healthy', async ({ sandbox }) => {
      const endpoint = await sandbox.endpoint(HTTPD_PORT);
      const body = await fetch(`http://${endpoint}/`).then((r) => r.text());
      expect(body).toBe(HTTPD_PAGE);
    });
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
});
