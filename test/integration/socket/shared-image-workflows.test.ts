import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testEngine } from '../../support/engine.js';
import { engineNames } from '../../support/engine-names.js';
import { sharedJob } from '../../support/shared-job.js';

const images = inject('images');
const legacy = { env: { DOCKER_BUILDKIT: '0' } };

/** Whether the engine still has an image (by id or tag). */
async function exists(image: string): Promise<boolean> {
  const { docker } = await testEngine();
  return docker
    .getImage(image)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

/** Whether the engine still has a container. */
async function containerExists(id: string): Promise<boolean> {
  const { docker } = await testEngine();
  return docker
    .getContainer(id)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

/**
 * The image work of ordinary CI jobs, with the docker CLI through the guarded
 * socket: build, tag, remove, save and load, commit, disk usage, prunes — and
 * destroying the sandbox removes every image the job built or tagged, its
 * builds' intermediate images and containers included.
 */
describe('docker: shared — images a job builds are its own, and go with it', () => {
  let job: Awaited<ReturnType<typeof sharedJob>>;
  let repo: string;
  /** The engine's name for one of the job's tags (the job's tags are private: see docs/guarded-socket.md). */
  let engineTag: (tag: string) => string;
  /** Images the job's builds made (every step and stage), and the containers its builds ran. */
  const built = new Set<string>();
  const buildContainers = new Set<string>();

  /** Builds /ctx in the job with the legacy builder, collecting what the build output says it made. */
  const build = async (...args: string[]) => {
    const result = await job.docker(['build', ...args, '/ctx'], legacy);
    expect(result.exitCode, result.stderr).toBe(0);
    // Each step after FROM that is not a cache hit makes an image: its last " ---> <id>" line.
    for (const step of result.stdout.split(/^Step \d+\/\d+ : /m).slice(1)) {
      const made = [...step.matchAll(/^ ---> ([0-9a-f]{12})$/gm)].at(-1)?.[1];
      if (made && !step.startsWith('FROM') && !step.includes('Using cache')) built.add(made);
    }
    for (const [, id] of result.stdout.matchAll(/ ---> Running in ([0-9a-f]{12})\n/g))
      buildContainers.add(id as string);
    return result;
  };

  beforeAll(async () => {
    job = await sharedJob(images);
    repo = `sandkit-test/job-${job.job.id}`;
    engineTag = engineNames(job.job).tag;
    await job.job.writeFiles([
      {
        path: '/ctx/Dockerfile',
        content: [
          `FROM ${images.busybox} AS stage`,
          `RUN echo ${job.job.id} > /stage.txt`,
          `FROM ${images.busybox}`,
          'COPY --from=stage /stage.txt /stage.txt',
          'RUN echo built > /built.txt',
          'CMD ["cat", "/built.txt", "/stage.txt"]',
          '',
        ].join('\n'),
      },
    ]);
  });
  afterAll(async () => {
    await job?.job.destroy();
  });

  it('builds multi-stage images, quietly or not, and runs them', async () => {
    const quiet = await build('-q', '-t', `${repo}:1`);
    expect(quiet.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    await build('--no-cache', '-t', `${repo}:2`);
    expect((await job.docker(['run', '--rm', `${repo}:2`])).stdout).toBe(`built\n${job.job.id}\n`);
    const { docker } = await testEngine();
    expect(
      (await docker.getImage(engineTag(`${repo}:1`)).inspect()).Config.Labels?.['dev.sandkit.sandbox'],
    ).toBe(job.job.id);
  });

  it('always removes the intermediate containers of its builds, even when asked not to', async () => {
    await job.job.writeFiles([
      { path: '/ctx/fail/Dockerfile', content: `FROM ${images.busybox}\nRUN exit 7\n` },
    ]);
    const failed = await job.docker(['build', '--rm=false', '--force-rm=false', '/ctx/fail'], legacy);
    expect(failed.exitCode).not.toBe(0);
    const ran = [...failed.stdout.matchAll(/ ---> Running in ([0-9a-f]{12})\n/g)].map(
      ([, id]) => id as string,
    );
    expect(ran).toHaveLength(1);
    await build('--rm=false', '--no-cache', '-t', `${repo}:kept-containers`);
    for (const id of [...ran, ...buildContainers]) expect(await containerExists(id), id).toBe(false);
  });

  it('tags its images, moves its own tags, and removes its tags and images', async () => {
    expect((await job.docker(['tag', `${repo}:1`, `${repo}:moving`])).exitCode).toBe(0);
    expect((await job.docker(['tag', `${repo}:2`, `${repo}:moving`])).exitCode).toBe(0);
    const { docker } = await testEngine();
    expect((await docker.getImage(engineTag(`${repo}:moving`)).inspect()).Id).toBe(
      (await docker.getImage(engineTag(`${repo}:2`)).inspect()).Id,
    );
    const removed = await job.docker(['rmi', `${repo}:moving`]);
    expect(removed, removed.stderr).toMatchObject({ exitCode: 0, stdout: `Untagged: ${repo}:moving\n` });
    expect(await exists(engineTag(`${repo}:moving`))).toBe(false);
    // By id, once only the job's tags are on it.
    const id = (await docker.getImage(engineTag(`${repo}:kept-containers`)).inspect()).Id;
    expect((await job.docker(['rmi', '-f', id])).exitCode).toBe(0);
    expect(await exists(id)).toBe(false);
  });

  it('saves its images and loads them back', async () => {
    const roundTrip = await job.job.exec(
      [
        'sh',
        '-c',
        `docker save -o /tmp/saved.tar ${repo}:1 && docker rmi ${repo}:1 && docker load -i /tmp/saved.tar`,
      ],
      { reject: false },
    );
    expect(roundTrip.stdout, roundTrip.stderr).toContain(`Loaded image: ${repo}:1`);
    expect((await job.docker(['run', '--rm', `${repo}:1`])).stdout).toBe(`built\n${job.job.id}\n`);
  });

  it('commits its container into an image of its own', async () => {
    await job.docker(['run', '--name', 'changed', images.busybox, 'sh', '-c', 'echo changed > /changed.txt']);
    const committed = await job.docker(['commit', 'changed', `${repo}:committed`]);
    expect(committed.stdout).toMatch(/^sha256:/);
    built.add(committed.stdout.trim().slice(7, 19));
    expect((await job.docker(['run', '--rm', `${repo}:committed`, 'cat', '/changed.txt'])).stdout).toBe(
      'changed\n',
    );
  });

  it("imports its container's file system into an image of its own", async () => {
    const imported = await job.job.exec(
      ['sh', '-c', `docker export changed > /tmp/fs.tar && docker import /tmp/fs.tar ${repo}:imported`],
      { reject: false },
    );
    expect(imported.stdout, imported.stderr).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    built.add(imported.stdout.trim().slice(7, 19));
    expect((await job.docker(['run', '--rm', `${repo}:imported`, 'cat', '/changed.txt'])).stdout).toBe(
      'changed\n',
    );
  });

  it('sees its own images and containers in docker system df', async () => {
    const df = await job.docker(['system', 'df', '-v', '--format', '{{json .}}']);
    const usage = JSON.parse(df.stdout) as {
      Images: Array<{ Repository: string; Tag: string }>;
      Containers: Array<{ Names: string }>;
    };
    expect(usage.Images.map((i) => `${i.Repository}:${i.Tag}`)).toEqual(
      expect.arrayContaining([`${repo}:1`, `${repo}:2`, `${repo}:committed`]),
    );
    expect(usage.Containers.map((c) => c.Names)).toContain('changed');
  });

  it('prunes its own stopped containers, unused volumes and networks, and unused images', async () => {
    await job.docker(['volume', 'create', 'scratch']);
    await job.docker(['network', 'create', 'scratch']);
    expect((await job.docker(['container', 'prune', '-f'])).stdout).toContain('Deleted Containers:');
    expect((await job.docker(['ps', '-a', '-q', '-f', 'name=changed'])).stdout).toBe('');
    expect((await job.docker(['volume', 'prune', '-f'])).stdout).toContain('scratch');
    expect((await job.docker(['network', 'prune', '-f'])).stdout).toContain('scratch');
    // The committed image, untagged, is dangling: image prune removes it.
    const committedId = (
      await job.docker(['image', 'inspect', '-f', '{{.Id}}', `${repo}:committed`])
    ).stdout.trim();
    expect((await job.docker(['rmi', `${repo}:committed`])).exitCode).toBe(0);
    expect(await exists(committedId)).toBe(false);
    await job.docker(['tag', `${repo}:1`, `${repo}:pruned`]);
    const pruned = await job.docker(['image', 'prune', '-a', '-f', '--filter', 'label=dev.sandkit.sandbox']);
    expect(pruned.stdout).toContain(`untagged: ${repo}:pruned`);
    expect(await exists(engineTag(`${repo}:1`))).toBe(false);
  });

  it('destroy removes every image it built or tagged: tags, stages, steps and build containers', async () => {
    await build('-t', `${repo}:last`);
    expect((await job.docker(['tag', images.busybox, `${repo}:on-busybox`])).exitCode).toBe(0);
    expect(built.size).toBeGreaterThan(4);
    await job.job.destroy();
    for (const tag of ['1', '2', 'imported', 'last', 'on-busybox'])
      expect(await exists(engineTag(`${repo}:${tag}`)), tag).toBe(false);
    for (const id of built) expect(await exists(id), id).toBe(false);
    for (const id of buildContainers) expect(await containerExists(id), id).toBe(false);
    expect(await exists(images.busybox)).toBe(true);
  });
});

describe('docker: shared — ordinary registry work and kept images', () => {
  it("refuses registries on the host's own addresses, which the engine would reach for the job (login, pull)", async () => {
    const job = await sharedJob(images);
    try {
      const login = await job.docker(['login', '-u', 'ci', '-p', 'not-a-secret', '127.0.0.1:1'], {
        timeoutMs: 30_000,
      });
      expect(login.exitCode).not.toBe(0);
      expect(login.stderr).toMatch(/on the host's own addresses/);
      for (const reference of ['127.0.0.1:1/probe:1', 'localhost:1/probe:1', '169.254.169.254/probe:1']) {
        const pull = await job.docker(['pull', reference], { timeoutMs: 30_000 });
        expect(pull.stderr, reference).toMatch(/on the host's own addresses/);
      }
    } finally {
      await job.job.destroy();
    }
  });

  it('keeps what a job built after its destroy when asked to (keepJobImages), as a cache', async () => {
    const job = await sharedJob(images, {}, [], { keepJobImages: true });
    const tag = engineNames(job.job).tag(`sandkit-test/kept:${job.job.id}`);
    try {
      await job.job.writeFiles([
        { path: '/ctx/Dockerfile', content: `FROM ${images.busybox}\nRUN echo kept\n` },
      ]);
      expect(
        (await job.docker(['build', '-q', '-t', `sandkit-test/kept:${job.job.id}`, '/ctx'], legacy)).exitCode,
      ).toBe(0);
    } finally {
      await job.job.destroy();
    }
    const { docker } = await testEngine();
    try {
      expect(await exists(tag)).toBe(true);
    } finally {
      await docker
        .getImage(tag)
        .remove()
        .catch(() => {});
    }
  });
});
