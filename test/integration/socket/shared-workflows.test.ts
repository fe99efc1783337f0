import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HTTPD_PAGE, HTTPD_PORT } from '@sandkit/host-setup';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { JobNames } from '../../../packages/runtime-socket/src/proxy/job-names.js';
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

  it('accepts the bodies the docker CLI sends for everyday flags', async () => {
    const run = await job.docker([
      'run',
      '--rm',
      '--init',
      '--read-only',
      '--restart',
      'no',
      '-e',
      'A=1',
      '-w',
      '/tmp',
      '--user',
      '1000:1000',
      '--group-add',
      '100',
      '--hostname',
      'box',
      '--label',
      'app=ci',
      '--memory',
      '64m',
      '--cpus',
      '0.5',
      '--pids-limit',
      '64',
      '--ulimit',
      'nofile=1024:1024',
      '--tmpfs',
      '/scratch',
      '--mount',
      'type=tmpfs,dst=/t',
      '--mount',
      'type=volume,src=flagvol,dst=/v',
      '--add-host',
      'db:127.0.0.1',
      '--dns-search',
      'example',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--log-opt',
      'max-size=1m',
      '--stop-signal',
      'SIGTERM',
      '--stop-timeout',
      '5',
      '--health-cmd',
      'true',
      '--health-interval',
      '5s',
      '--expose',
      '9000',
      '-p',
      '127.0.0.1::9000',
      images.busybox,
      'sh',
      '-c',
      'echo $A $(hostname) $(pwd)',
    ]);
    expect(run).toMatchObject({ exitCode: 0, stdout: '1 box /tmp\n' });
    const execIn = await job.docker([
      'exec',
      '-e',
      'B=2',
      '-w',
      '/',
      '-u',
      'nobody',
      'sleeper',
      'sh',
      '-c',
      'echo $B',
    ]);
    expect(execIn.stdout).toBe('2\n');
    expect((await job.docker(['exec', '-d', 'sleeper', 'touch', '/tmp/detached'])).exitCode).toBe(0);
    let found: number | undefined = 1;
    for (let i = 0; i < 50 && found !== 0; i++) {
      found = (await job.docker(['exec', 'sleeper', 'test', '-e', '/tmp/detached'])).exitCode;
      if (found !== 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toBe(0);
  });

  it("updates and renames the job's own containers", async () => {
    expect(
      (
        await job.docker([
          'update',
          '--pids-limit',
          '200',
          '--memory',
          '128m',
          '--memory-swap',
          '256m',
          'sleeper',
        ])
      ).exitCode,
    ).toBe(0);
    const { docker } = await testEngine();
    const engineName = new JobNames(job.job.id).engineName('sleeper');
    expect((await docker.getContainer(engineName).inspect()).HostConfig.PidsLimit).toBe(200);
    expect((await job.docker(['rename', 'ticker', 'ticked'])).exitCode).toBe(0);
    // The old name now stands for a new container, and reaches that one.
    await job.docker([
      'run',
      '-d',
      '--name',
      'ticker',
      images.busybox,
      'sh',
      '-c',
      'echo new > /id; sleep 300',
    ]);
    let id = '';
    for (let i = 0; i < 50 && id !== 'new\n'; i++)
      id = (await job.docker(['exec', 'ticker', 'cat', '/id'])).stdout;
    expect(id).toBe('new\n');
    expect((await job.docker(['logs', 'ticked'])).stdout).toBe('tick 1\ntick 2\ntick 3\n');
  });

  it('filters lists and events as the docker CLI asks (map-form filters)', async () => {
    const names = async (args: string[]) =>
      (await job.docker(args)).stdout.trim().split('\n').filter(Boolean);
    expect(await names(['ps', '-f', 'name=sleeper', '--format', '{{.Names}}'])).toEqual(['sleeper']);
    expect(
      await names([
        'ps',
        '-f',
        'status=running',
        '-f',
        `ancestor=${images.busybox}`,
        '--format',
        '{{.Names}}',
      ]),
    ).toContain('sleeper');
    expect(await names(['ps', '-a', '-f', 'label=nothing=here', '--format', '{{.Names}}'])).toEqual([]);
    const since = Math.floor(Date.now() / 1000) - 60;
    const events = await job.docker([
      'events',
      '--since',
      String(since),
      '--until',
      String(Math.ceil(Date.now() / 1000) + 1),
      '--filter',
      'type=container',
      '--filter',
      'container=sleeper',
      '--format',
      '{{.Actor.Attributes.name}}',
    ]);
    expect(events.exitCode).toBe(0);
    expect(events.stdout.split('\n')).toContain('sleeper');
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
    expect((await job.docker(['rmi', `sandkit-test/built-by-job:${job.job.id}`])).exitCode).toBe(0);
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

  it('lists volumes and networks with the filters the CLI sends', async () => {
    const names = async (args: string[]) =>
      (await job.docker(args)).stdout.trim().split('\n').filter(Boolean);
    expect(await names(['volume', 'ls', '-f', 'dangling=true', '-f', 'name=data', '-q'])).toContain('data');
    expect(
      await names(['network', 'ls', '-f', 'driver=bridge', '-f', 'name=app', '--format', '{{.Name}}']),
    ).toEqual(['app']);
  });

  it("reads the engine's shared defaults: info, version and the default networks", async () => {
    expect((await job.docker(['version', '--format', '{{.Server.APIVersion}}'])).stdout.trim()).toMatch(
      /^1\.\d+$/,
    );
    expect((await job.docker(['info', '--format', '{{.ServerVersion}}'])).exitCode).toBe(0);
    for (const network of ['bridge', 'host', 'none']) {
      const inspect = await job.docker(['network', 'inspect', '--format', '{{.Name}}', network]);
      expect(inspect.stdout.trim(), inspect.stderr).toBe(network);
    }
    const { docker } = await testEngine();
    const bridgeId = ((await docker.getNetwork('bridge').inspect()) as { Id: string }).Id;
    expect(
      (
        await job.docker(['network', 'inspect', '--format', '{{.Name}}', bridgeId.slice(0, 12)])
      ).stdout.trim(),
    ).toBe('bridge');
    expect((await job.docker(['network', 'rm', 'bridge'])).exitCode).not.toBe(0);
    expect((await job.docker(['network', 'ls', '--format', '{{.Name}}'])).stdout).not.toMatch(/^bridge$/m);
  });

  it('connects its containers to its networks and back', async () => {
    expect((await job.docker(['network', 'connect', '--alias', 'sleepy', 'app', 'sleeper'])).exitCode).toBe(
      0,
    );
    expect((await job.docker(['network', 'disconnect', 'app', 'sleeper'])).exitCode).toBe(0);
  });

  it("works for the host's own docker CLI too, newer than the engine (fields of later APIs are dropped)", async () => {
    const env = { DOCKER_HOST: job.job.dockerHost as string };
    const cli = (args: string[]) => execa('docker', args, { env, reject: false });
    // The engine is 20.10 (API v1.41); this CLI's structs have fields that API does not know.
    expect((await cli(['version', '--format', '{{.Client.Version}}'])).stdout).not.toMatch(/^20\./);
    const run = await cli([
      'run',
      '--rm',
      '--network',
      'app',
      '--network-alias',
      'newcli',
      '-v',
      'data:/data',
      images.busybox,
      'cat',
      '/data/f',
    ]);
    expect(run, run.stderr).toMatchObject({ exitCode: 0, stdout: 'kept' });
    expect((await cli(['exec', '-t', 'sleeper', 'true'])).exitCode).toBe(0);
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
