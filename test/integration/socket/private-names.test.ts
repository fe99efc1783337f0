import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { leftovers, NOTHING_LEFT, testEngine } from '../../support/engine.js';
import { engineNames } from '../../support/engine-names.js';
import { httpGetWhenUp } from '../../support/http-get.js';
import { sharedJob } from '../../support/shared-job.js';

const images = inject('images');
const legacy = { env: { DOCKER_BUILDKIT: '0' } };

type Job = Awaited<ReturnType<typeof sharedJob>>;

/** The lines a docker command printed, empty ones dropped. */
const lines = async (job: Job, args: string[]) =>
  (await job.docker(args)).stdout.split('\n').filter((line) => line !== '');

/**
 * Two CI jobs on one engine use the same names — container `web`, network
 * `ci`, volume `data`, image `app:latest` — each with the real docker CLI in
 * its sandbox, at the same time: each sees and reaches only its own, and
 * neither disturbs the other (see "Private names" in docs/guarded-socket.md).
 */
describe('docker: shared — two jobs on one engine, the same names, each its own objects', () => {
  let jobs: Job[];

  /** The same CI script in each job: a page of its own in its volume, served by `web` on its network `ci`, and its image `app:latest`. */
  const setUp = async (job: Job) => {
    const run = async (args: string[]) => {
      const result = await job.docker(args, legacy);
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      return result;
    };
    await run(['network', 'create', 'ci']);
    await run(['volume', 'create', 'data']);
    await run([
      'run',
      '--rm',
      '-v',
      'data:/data',
      images.busybox,
      'sh',
      '-c',
      `echo ${job.job.id} > /data/index.html`,
    ]);
    await run([
      'run',
      '-d',
      '--name',
      'web',
      '--network',
      'ci',
      '-v',
      'data:/data',
      images.busybox,
      'httpd',
      '-f',
      '-p',
      '8080',
      '-h',
      '/data',
    ]);
    await job.job.writeFiles([
      { path: '/app/Dockerfile', content: `FROM ${images.busybox}\nRUN echo ${job.job.id} > /who\n` },
      // Built on the job's own app:latest: the engine resolves FROM itself, the proxy sends it the job's.
      { path: '/derived/Dockerfile', content: 'FROM app:latest\nRUN cp /who /who-derived\n' },
    ]);
    await run(['build', '-t', 'app:latest', '/app']);
    await run(['build', '-q', '-t', 'app:derived', '/derived']);
  };

  beforeAll(async () => {
    jobs = await Promise.all([sharedJob(images), sharedJob(images)]);
    await Promise.all(jobs.map(setUp));
  });
  afterAll(async () => {
    await Promise.all((jobs ?? []).map((job) => job.job.destroy()));
  });

  it('each reaches its own web by the name it gave it, on its own network, serving its own volume', async () => {
    for (const job of jobs) {
      const fetched = await job.docker([
        'run',
        '--rm',
        '--network',
        'ci',
        images.busybox,
        ...httpGetWhenUp('http://web:8080/'),
      ]);
      expect(fetched.stdout, fetched.stderr).toBe(`${job.job.id}\n`);
      const linked = await job.docker([
        'run',
        '--rm',
        '--network',
        'ci',
        '--link',
        'web:server',
        images.busybox,
        'sh',
        '-c',
        'wget -q -O - http://server:8080/',
      ]);
      expect(linked.stdout, linked.stderr).toBe(`${job.job.id}\n`);
      const joined = await job.docker([
        'run',
        '--rm',
        '--network',
        'container:web',
        images.busybox,
        'wget',
        '-q',
        '-O',
        '-',
        'http://127.0.0.1:8080/',
      ]);
      expect(joined.stdout, joined.stderr).toBe(`${job.job.id}\n`);
      const sharedFiles = await job.docker([
        'run',
        '--rm',
        '--volumes-from',
        'web',
        images.busybox,
        'cat',
        '/data/index.html',
      ]);
      expect(sharedFiles.stdout).toBe(`${job.job.id}\n`);
    }
  });

  it("a container connected later answers to its job name on the job's network", async () => {
    for (const job of jobs) {
      expect((await job.docker(['network', 'create', 'late'])).exitCode).toBe(0);
      expect((await job.docker(['network', 'connect', 'late', 'web'])).exitCode).toBe(0);
      const fetched = await job.docker([
        'run',
        '--rm',
        '--network',
        'late',
        images.busybox,
        ...httpGetWhenUp('http://web:8080/'),
      ]);
      expect(fetched.stdout, fetched.stderr).toBe(`${job.job.id}\n`);
      expect((await job.docker(['network', 'disconnect', 'late', 'web'])).exitCode).toBe(0);
    }
  });

  it('each sees its own objects by its own names, in lists, inspects and filters', async () => {
    for (const job of jobs) {
      expect(await lines(job, ['ps', '--format', '{{.Names}}', '-f', 'name=web'])).toEqual(['web']);
      expect(await lines(job, ['ps', '-q', '-f', 'network=ci'])).toHaveLength(1);
      expect(await lines(job, ['ps', '-q', '-f', 'volume=data'])).toHaveLength(1);
      expect(await lines(job, ['network', 'ls', '--format', '{{.Name}}', '-f', 'name=ci'])).toEqual(['ci']);
      expect(await lines(job, ['volume', 'ls', '--format', '{{.Name}}', '-f', 'name=data'])).toEqual([
        'data',
      ]);
      expect((await lines(job, ['images', 'app', '--format', '{{.Repository}}:{{.Tag}}'])).sort()).toEqual([
        'app:derived',
        'app:latest',
      ]);
      expect(
        await lines(job, [
          'inspect',
          '--format',
          '{{.Name}} {{range $name, $_ := .NetworkSettings.Networks}}{{$name}}{{end}}',
          'web',
        ]),
      ).toEqual(['/web ci']);
      expect(await lines(job, ['inspect', '--format', '{{range .Mounts}}{{.Name}}{{end}}', 'web'])).toEqual([
        'data',
      ]);
      expect(
        await lines(job, ['network', 'inspect', '--format', '{{range .Containers}}{{.Name}}{{end}}', 'ci']),
      ).toEqual(['web']);
      expect(await lines(job, ['volume', 'inspect', '--format', '{{.Name}}', 'data'])).toEqual(['data']);
      expect(
        await lines(job, ['image', 'inspect', '--format', '{{join .RepoTags ","}}', 'app:latest']),
      ).toEqual(['app:latest']);
    }
  });

  it("each runs its own image, and builds on it (FROM app:latest is the job's own)", async () => {
    for (const job of jobs) {
      expect((await job.docker(['run', '--rm', 'app:latest', 'cat', '/who'])).stdout).toBe(`${job.job.id}\n`);
      expect((await job.docker(['run', '--rm', 'app:derived', 'cat', '/who-derived'])).stdout).toBe(
        `${job.job.id}\n`,
      );
    }
  });

  it("engine errors name the job's objects by the job's names", async () => {
    for (const job of jobs) {
      const again = await job.docker(['run', '-d', '--name', 'web', images.busybox, 'true']);
      expect(again.exitCode).not.toBe(0);
      expect(again.stderr).toMatch(/The container name "\/web" is already in use/);
      expect(again.stderr).not.toContain(engineNames(job.job).object(''));
      const taken = await job.docker(['network', 'create', 'ci']);
      expect(taken.stderr).toMatch(/network with name ci already exists/);
    }
  });

  it("events name the job's containers and images by its names, and filter by them", async () => {
    // The engine keeps only its latest events: these are made right before they are read.
    for (const job of jobs) {
      const since = Math.floor(Date.now() / 1000) - 1;
      expect((await job.docker(['run', '--rm', '--name', 'once', 'app:latest', 'true'])).exitCode).toBe(0);
      const events = await job.docker([
        'events',
        '--since',
        String(since),
        '--until',
        String(Math.ceil(Date.now() / 1000) + 1),
        '--filter',
        'container=once',
        '--filter',
        'image=app:latest',
        '--filter',
        'event=start',
        '--format',
        '{{.Actor.Attributes.name}} {{.Actor.Attributes.image}}',
      ]);
      expect(events.stdout, events.stderr).toBe('once app:latest\n');
    }
  });

  it('tags, commits, saves and loads into tags of its own; its images are its own to remove', async () => {
    for (const job of jobs) {
      const script = [
        'docker tag app:latest app:1',
        'docker commit web app:committed',
        'docker save -o /tmp/app.tar app:1',
        'docker rmi app:1',
        'docker load -i /tmp/app.tar',
      ].join(' && ');
      const result = await job.job.exec(['sh', '-c', script], { reject: false });
      expect(result.stdout, result.stderr).toContain('Loaded image: app:1');
      expect((await job.docker(['run', '--rm', 'app:1', 'cat', '/who'])).stdout).toBe(`${job.job.id}\n`);
    }
    const [first, second] = jobs as [Job, Job];
    // The first removes its images; the second's, of the same names, stay.
    const removed = await first.docker(['rmi', 'app:1', 'app:committed', 'app:derived', 'app:latest']);
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/^Untagged: app:latest$/m);
    expect(await lines(first, ['images', 'app', '-q'])).toEqual([]);
    expect(await lines(second, ['images', 'app', '-q'])).not.toEqual([]);
    expect((await second.docker(['run', '--rm', 'app:latest', 'cat', '/who'])).stdout).toBe(
      `${second.job.id}\n`,
    );
  });

  it("removing one job's web, network and volume leaves the other's", async () => {
    const [first, second] = jobs as [Job, Job];
    expect((await first.docker(['rm', '-f', 'web'])).exitCode).toBe(0);
    expect((await first.docker(['network', 'rm', 'ci', 'late'])).exitCode).toBe(0);
    expect((await first.docker(['volume', 'rm', 'data'])).exitCode).toBe(0);
    expect(await lines(second, ['ps', '--format', '{{.Names}} {{.State}}', '-f', 'name=web'])).toEqual([
      'web running',
    ]);
    const fetched = await second.docker([
      'run',
      '--rm',
      '--network',
      'ci',
      images.busybox,
      ...httpGetWhenUp('http://web:8080/'),
    ]);
    expect(fetched.stdout).toBe(`${second.job.id}\n`);
  });

  it("containers started without --network are on the job's own default network: they reach each other by name, never the other job's", async () => {
    for (const job of jobs) {
      const serve = `mkdir /www && echo ${job.job.id} > /www/index.html && httpd -f -p 8080 -h /www`;
      expect(
        (await job.docker(['run', '-d', '--name', 'solo', images.busybox, 'sh', '-c', serve])).exitCode,
      ).toBe(0);
    }
    for (const job of jobs) {
      const fetched = await job.docker([
        'run',
        '--rm',
        images.busybox,
        ...httpGetWhenUp('http://solo:8080/'),
      ]);
      expect(fetched.stdout, fetched.stderr).toBe(`${job.job.id}\n`);
      // Its builds run there too.
      await job.job.writeFiles([
        {
          path: '/fetch/Dockerfile',
          content: `FROM ${images.busybox}\nRUN wget -q -O - http://solo:8080/ > /fetched\n`,
        },
      ]);
      // No cache: the engine's build cache is shared, and the other job's identical step would answer.
      expect(
        (await job.docker(['build', '-q', '--no-cache', '-t', 'fetched', '/fetch'], legacy)).exitCode,
      ).toBe(0);
      expect((await job.docker(['run', '--rm', 'fetched', 'cat', '/fetched'])).stdout).toBe(
        `${job.job.id}\n`,
      );
    }
    const [first, second] = jobs as [Job, Job];
    const address = (
      await first.docker([
        'inspect',
        '--format',
        '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
        'solo',
      ])
    ).stdout.trim();
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const fromFirst = await first.docker([
      'run',
      '--rm',
      images.busybox,
      'sh',
      '-c',
      // Given up after 3 seconds (busybox's timeout does not stop a wget that is connecting).
      `wget -q -O - http://${address}:8080/ & sleep 3; kill -9 $! 2>/dev/null; wait $!`,
    ]);
    expect(fromFirst.stdout, `${address}: ${fromFirst.stderr}`).toBe(`${first.job.id}\n`);
    const fromSecond = await second.docker([
      'run',
      '--rm',
      images.busybox,
      'sh',
      '-c',
      // Given up after 3 seconds (busybox's timeout does not stop a wget that is connecting).
      `wget -q -O - http://${address}:8080/ & sleep 3; kill -9 $! 2>/dev/null; wait $!`,
    ]);
    // Nothing answers it (the same request from the first job got the page). Its exit code is
    // busybox's: 137 when the wget was killed, 0 when it had already failed and been reaped.
    if (fromSecond.stdout !== '') {
      // Seen once in CI under heavy load and never reproduced: say what the networks were then.
      const subnets = async (job: Job) =>
        (
          await job.docker([
            'network',
            'inspect',
            '--format',
            '{{.Name}} {{.Id}} {{range .IPAM.Config}}{{.Subnet}}{{end}}',
            'default',
          ])
        ).stdout.trim();
      console.error(
        `[private-names] the second job reached ${address}: first job's network ${await subnets(first)}, second's ${await subnets(second)}; host FORWARD chain:\n${(await execa('iptables', ['-S', 'FORWARD'], { reject: false })).stdout}`,
      );
    }
    expect(fromSecond.stdout).toBe('');
  });

  it('after destroy, nothing of either job remains on the engine: containers, networks, volumes, tags, images', async () => {
    const { docker } = await testEngine();
    const namespaces = jobs.map((job) => engineNames(job.job).object('').replace(/_$/, ''));
    await Promise.all(jobs.map((job) => job.job.destroy()));
    for (const job of jobs) expect(await leftovers({ sandbox: job.job.id })).toEqual(NOTHING_LEFT);
    const tags = (await docker.listImages({ all: true })).flatMap((image) => image.RepoTags ?? []);
    for (const namespace of namespaces) expect(tags.filter((tag) => tag.includes(namespace))).toEqual([]);
    for (const job of jobs) {
      const filters = JSON.stringify({ label: [`dev.sandkit.sandbox=${job.job.id}`] });
      expect(await docker.listImages({ all: true, filters })).toEqual([]);
    }
  });
});
