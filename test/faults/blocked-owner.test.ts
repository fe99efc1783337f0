import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testEngine } from '../support/engine.js';
import { sharedJob } from '../support/shared-job.js';

const images = inject('images');

/**
 * The guarding proxy runs in a worker thread of its own: the process that
 * owns the sandbox may block its event loop — call a docker client of the
 * job's own proxy synchronously, or just wait — and the job's engine access
 * goes on.
 */
describe("a blocked owner does not stall its jobs' engine access", () => {
  let job: Awaited<ReturnType<typeof sharedJob>>;
  let proxyHost: string;
  let engineHost: string;

  beforeAll(async () => {
    job = await sharedJob(images);
    proxyHost = job.job.dockerHost as string;
    engineHost = (await testEngine()).address;
  });
  afterAll(async () => {
    await job?.job.destroy();
  });

  it('answers an attached `docker run` the owner makes synchronously through the proxy', () => {
    const output = execFileSync(
      'docker',
      ['-H', proxyHost, 'run', '--rm', images.busybox, 'echo', 'from a blocked owner'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(output).toBe('from a blocked owner\n');
  });

  it("answers the job's own `docker ps` while the owner's event loop is blocked", () => {
    // The owner reaches the job straight through the engine (not its proxy) and waits synchronously.
    const ps = spawnSync(
      'docker',
      ['-H', engineHost, 'exec', job.job.containerId, 'docker', 'ps', '--format', '{{.Names}}'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(ps.status, ps.stderr).toBe(0);
    expect(ps.stdout.split('\n')).toContain(`sandkit-${job.job.id}`);
  });

  it('answers a client while the owner sleeps in Atomics.wait', async () => {
    // The client prints the time its `docker ps` got its answer; the owner reads it after waking.
    const client = spawn('sh', ['-c', `docker -H ${proxyHost} ps -q >/dev/null && date +%s%3N`]);
    const output = new Promise<string>((resolve) => {
      let text = '';
      client.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      client.once('close', () => resolve(text));
    });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 4_000);
    const woke = Date.now();
    const answeredAt = Number((await output).trim());
    expect(answeredAt).toBeGreaterThan(0);
    expect(answeredAt).toBeLessThan(woke);
  });
});

describe("the proxy worker and the owner's lifetime", () => {
  it('neither ends an owner that awaits it nor keeps a finished one alive', async () => {
    const child = await execa(
      'node',
      [join(import.meta.dirname, '../support/shared-owner-child.mjs'), images.dind],
      {
        reject: false,
        timeout: 90_000,
      },
    );
    expect(child, child.stderr).toMatchObject({ exitCode: 0, timedOut: false, stdout: 'done' });
  });
});
