import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HTTPD_PAGE, HTTPD_PORT } from '@sandkit/host-setup';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { leftovers, NOTHING_LEFT, testEngine } from '../../support/engine.js';
import { httpGetWhenUp } from '../../support/http-get.js';
import { sharedJob } from '../../support/shared-job.js';
import { tempDir } from '../../support/temp-dir.js';

const images = inject('images');

describe('docker: shared — ordinary CI work through the guarded socket', () => {
  let job: Awaited<ReturnType<typeof sharedJob>>;
  let shared: string;

  beforeAll(async () => {
    shared = await tempDir('sandkit-shared-');
    await writeFile(join(shared, 'input.txt'), 'from the host\n');
    job = await sharedJob(images, {}, [shared]);
  });
  afterAll(async () => {
    await job?.job.destroy();
  });

  it('runs attached containers and returns their output and exit code', async () => {
    const ok = await job.docker(['run', '--rm', images.busybox, 'echo', 'attached']);
    expect(ok).toMatchObject({ exitCode: 0, stdout: 'attached\n' });
    const failed = await job.docker(['run', '--rm', images.busybox, 'sh', '-c', 'exit 3']);
    expect(failed.exitCode).toBe(3);
  });

  it('feeds stdin to an attached container', async () => {
    const result = await job.job.exec(['docker', 'run', '--rm', '-i', images.busybox, 'tr', 'a-z', 'A-Z'], {
      stdin: 'shout\n',
    });
    expect(result.stdout).toBe('SHOUT\n');
  });

  it('runs detached containers, execs into them and follows their logs', async () => {
    const run = await job.docker([
      'run',
      '-d',
      '--name',
      'ticker',
      images.busybox,
      'sh',
      '-c',
      'for i in 1 2 3; do echo tick $i; sleep 0.2; done',
    ]);
    expect(run.exitCode).toBe(0);
    const logs = await job.docker(['logs', '-f', 'ticker'], { timeoutMs: 20_000 });
    expect(logs.stdout).toBe('tick 1\ntick 2\ntick 3\n');
    await job.docker(['run', '-d', '--name', 'sleeper', images.busybox, 'sleep', '300']);
    expect((await job.docker(['exec', 'sleeper', 'sh', '-c', 'echo in $(hostname)'])).stdout).toMatch(
      /^in \w+\n$/,
    );
    expect((await job.docker(['ps', '--format', '{{.Names}}'])).stdout.split('\n')).toContain('sleeper');
  });

  it('builds images with the legacy builder', async () => {
    await job.job.writeFiles([
      {
        path: '/ctx/Dockerfile',
        content: `FROM ${images.busybox}\nRUN echo built > /built.txt\nCMD ["cat", "/built.txt"]\n`,
      },
    ]);
    const build = await job.docker(['build', '-q', '-t', `sandkit-test/built-by-job:${job.job.id}`, '/ctx'], {
      env: { DOCKER_BUILDKIT: '0' },
    });
    expect(build.exitCode).toBe(0);
    expect((await job.docker(['run', '--rm', `sandkit-test/built-by-job:${job.job.id}`])).stdout).toBe(
      'built\n',
    );
    const { docker } = await testEngine();
    await docker.getImage(`sandkit-test/built-by-job:${job.job.id}`).remove();
  });

  it('creates networks with DNS and volumes that persist between containers', async () => {
    expect((await job.docker(['network', 'create', 'app'])).exitCode).toBe(0);
    await job.docker(['run', '-d', '--name', 'web', '--network', 'app', images.httpd]);
    const fetched = await job.docker([
      'run',
      '--rm',
      '--network',
      'app',
      images.busybox,
      ...httpGetWhenUp(`http://web:${HTTPD_PORT}/`),
    ]);
    expect(fetched.stdout).toBe(HTTPD_PAGE);
    await job.docker(['run', '--rm', '-v', 'data:/data', images.busybox, 'sh', '-c', 'echo kept > /data/f']);
    expect(
      (await job.docker(['run', '--rm', '-v', 'data:/data', images.busybox, 'cat', '/data/f'])).stdout,
    ).toBe('kept\n');
    expect((await job.docker(['volume', 'ls', '--format', '{{.Name}}'])).stdout.split('\n')).toContain(
      'data',
    );
  });

  it('publishes ports on the host', async () => {
    await job.docker(['run', '-d', '--name', 'published', '-p', `127.0.0.1::${HTTPD_PORT}`, images.httpd]);
    const port = (await job.docker(['port', 'published', String(HTTPD_PORT)])).stdout.trim().split(':').pop();
    let body = '';
    for (let i = 0; i < 50 && body !== HTTPD_PAGE; i++) {
      body = await fetch(`http://127.0.0.1:${port}/`).then(
        (r) => r.text(),
        () => '',
      );
      if (body !== HTTPD_PAGE) await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toBe(HTTPD_PAGE);
  });

  it('bind-mounts allow-listed host paths, which resolve on the host', async () => {
    const result = await job.docker([
      'run',
      '--rm',
      '-v',
      `${shared}:${shared}:ro`,
      images.busybox,
      'cat',
      `${shared}/input.txt`,
    ]);
    expect(result.stdout).toBe('from the host\n');
  });

  it("gives the host the same guarded view through docker(): the job's containers only", async () => {
    const containers = await job.job.docker().listContainers({ all: true });
    expect(containers.map((c) => c.Names[0])).toEqual(
      expect.arrayContaining(['/sleeper', `/sandkit-${job.job.id}`]),
    );
    expect(containers.every((c) => c.Labels['dev.sandkit.sandbox'] === job.job.id)).toBe(true);
  });

  it('destroy removes every sibling, network and volume the job created, and the proxy', async () => {
    const { id } = job.job;
    const proxyDir = job.job.dockerHost?.replace(/^unix:\/\//, '').replace(/\/docker\.sock$/, '') as string;
    expect((await leftovers({ sandbox: id })).containers.length).toBeGreaterThan(3);
    await job.job.destroy();
    expect(await leftovers({ sandbox: id })).toEqual(NOTHING_LEFT);
    expect(existsSync(proxyDir)).toBe(false);
  });
});
