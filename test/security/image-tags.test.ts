import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testEngine } from '../support/engine.js';
import { rawApi } from '../support/raw-engine-api.js';
import { sharedJob } from '../support/shared-job.js';
import { tempDir } from '../support/temp-dir.js';

const images = inject('images');
const legacy = { env: { DOCKER_BUILDKIT: '0' } };

/**
 * Image tags are owned per job: a job cannot move, overwrite or remove a tag
 * it did not make — one another job made, or one made on the host — by any
 * route that points tags (tag, build, commit, import, load, pull), and its
 * prunes reach only its own objects. Every refusal is checked from the host:
 * the tag still points where it did.
 */
describe('a job cannot take over, overwrite or remove tags and objects that are not its own', () => {
  let job: Awaited<ReturnType<typeof sharedJob>>;
  let other: Awaited<ReturnType<typeof sharedJob>>;
  let socketPath: string;
  /** A tag made on the host, and one another job made, both on the busybox image. */
  let hostTag: string;
  let theirTag: string;
  let busyboxId: string;
  let mine: string;

  const sh = (script: string) =>
    job.job.exec(['sh', '-c', script], { reject: false, timeoutMs: 60_000, ...legacy });
  const pointsAt = async (tag: string) => {
    const { docker } = await testEngine();
    return (await docker.getImage(tag).inspect()).Id;
  };
  const expectUntouched = async () => {
    expect(await pointsAt(hostTag)).toBe(busyboxId);
    expect(await pointsAt(theirTag)).toBe(busyboxId);
  };

  beforeAll(async () => {
    [job, other] = await Promise.all([sharedJob(images), sharedJob(images)]);
    socketPath = (job.job.dockerHost as string).replace(/^unix:\/\//, '');
    const { docker } = await testEngine();
    busyboxId = (await docker.getImage(images.busybox).inspect()).Id;
    hostTag = `sandkit-test/host-made:${job.job.id}`;
    await docker.getImage(images.busybox).tag({ repo: 'sandkit-test/host-made', tag: job.job.id });
    theirTag = `sandkit-test/theirs:${other.job.id}`;
    expect((await other.docker(['tag', images.busybox, theirTag])).exitCode).toBe(0);
    mine = `sandkit-test/mine:${job.job.id}`;
    await job.job.writeFiles([
      { path: '/ctx/Dockerfile', content: `FROM ${images.busybox}\nRUN echo mine > /mine\n` },
    ]);
    expect((await job.docker(['build', '-q', '-t', mine, '/ctx'], legacy)).exitCode).toBe(0);
    expect((await job.docker(['run', '--name', 'made', mine, 'true'])).exitCode).toBe(0);
  });
  afterAll(async () => {
    await job?.job.destroy();
    await other?.job.destroy();
    const { docker } = await testEngine();
    await docker
      .getImage(hostTag)
      .remove()
      .catch(() => {});
  });

  it('docker tag onto a foreign tag, in any spelling of its name', async () => {
    for (const target of [hostTag, theirTag, `docker.io/${hostTag}`]) {
      const tagged = await job.docker(['tag', mine, target]);
      expect(tagged.exitCode, target).not.toBe(0);
      expect(tagged.stderr).toMatch(/is not this job's: it may not be moved or overwritten/);
    }
    const raw = await rawApi(
      socketPath,
      'POST',
      `/v1.41/images/${encodeURIComponent(mine)}/tag?repo=index.docker.io/sandkit-test/theirs&tag=${other.job.id}`,
    );
    expect(raw.status).toBe(403);
    await expectUntouched();
  });

  it('docker build -t onto a foreign tag', async () => {
    const built = await job.docker(['build', '-t', mine, '-t', theirTag, '/ctx'], legacy);
    expect(built.exitCode).not.toBe(0);
    expect(built.stderr).toMatch(/is not this job's/);
    await expectUntouched();
  });

  it('docker commit onto a foreign tag, and commit of the sandbox container itself', async () => {
    expect((await job.docker(['commit', 'made', hostTag])).stderr).toMatch(/is not this job's/);
    const own = await job.docker(['commit', `sandkit-${job.job.id}`, `sandkit-test/copy:${job.job.id}`]);
    expect(own.stderr).toMatch(/sandbox's own container is not the job's to commit/);
    await expectUntouched();
  });

  it('docker import onto a foreign tag, and imports the engine would fetch from a URL', async () => {
    expect(
      (await sh(`docker export made > /tmp/fs.tar && docker import /tmp/fs.tar ${theirTag}`)).stderr,
    ).toMatch(/is not this job's/);
    const fetched = await rawApi(
      socketPath,
      'POST',
      `/images/create?fromSrc=${encodeURIComponent('http://127.0.0.1:9/x.tar')}&repo=sandkit-test/fetched`,
    );
    expect(fetched.status).toBe(403);
    expect(fetched.body.message).toMatch(/importing from a URL is not allowed/);
    await expectUntouched();
  });

  it('docker load of an archive that names a foreign tag, in any spelling or disguise', async () => {
    // The job's own image saved, its archive rewritten to name the host's tag instead.
    const unpack = `rm -rf /tmp/x && mkdir /tmp/x && cd /tmp/x && docker save ${mine} | tar x && sed -i "s#${mine}#${hostTag}#; s#sandkit-test/mine#sandkit-test/host-made#" manifest.json repositories`;
    const attempts = {
      renamed: 'tar cf /tmp/evil.tar *',
      'lower-case repotags': `sed -i 's/"RepoTags"/"repotags"/' manifest.json && tar cf /tmp/evil.tar *`,
      'manifest.json a symlink':
        'mv manifest.json m.json && ln -s m.json manifest.json && tar cf /tmp/evil.tar *',
      gzip: 'tar cf - * | gzip > /tmp/evil.tar',
    };
    for (const [name, pack] of Object.entries(attempts)) {
      const loaded = await sh(`${unpack} && ${pack} && docker load -i /tmp/evil.tar`);
      expect(loaded.exitCode, name).not.toBe(0);
      expect(loaded.stderr, name).toMatch(/sandkit policy denied/);
      await expectUntouched();
    }
  });

  it('docker pull onto a foreign tag is refused before the engine is asked', async () => {
    const pulled = await job.docker(['pull', hostTag]);
    expect(pulled.stderr).toMatch(/pulling would re-point a tag: image tag .* is not this job's/);
    expect((await job.docker(['pull', '-a', 'sandkit-test/host-made'])).stderr).toMatch(/name the tag/);
    await expectUntouched();
  });

  it('docker rmi of a foreign tag, or of an image someone else tags, with or without force', async () => {
    for (const args of [[hostTag], ['-f', theirTag], [busyboxId], ['-f', busyboxId.slice(7, 19)]]) {
      const removed = await job.docker(['rmi', ...args]);
      expect(removed.exitCode, args.join(' ')).not.toBe(0);
      expect(removed.stderr).toMatch(/sandkit policy denied/);
    }
    // The job tagged busybox too: its tag is its own to remove, the image is not.
    expect((await job.docker(['tag', images.busybox, `sandkit-test/also-mine:${job.job.id}`])).exitCode).toBe(
      0,
    );
    expect((await job.docker(['rmi', busyboxId])).stderr).toMatch(/which are not this job's/);
    expect((await job.docker(['rmi', `sandkit-test/also-mine:${job.job.id}`])).exitCode).toBe(0);
    await expectUntouched();
    expect(await pointsAt(images.busybox)).toBe(busyboxId);
  });

  it("docker system df counts only the job's own objects", async () => {
    const df = await job.docker(['system', 'df', '-v', '--format', '{{json .}}']);
    expect(df.exitCode, df.stderr).toBe(0);
    const usage = JSON.parse(df.stdout) as {
      Images: Array<{ Repository: string; Tag: string }>;
      Containers: Array<{ Names: string }>;
      Volumes: Array<{ Name: string }> | null;
    };
    expect(usage.Images.map((i) => `${i.Repository}:${i.Tag}`)).toEqual([mine]);
    expect(usage.Containers.map((c) => c.Names).sort()).toEqual(['made', `sandkit-${job.job.id}`].sort());
    expect(usage.Volumes ?? []).toEqual([]);
  });

  it("prunes reach only the job's own objects, whatever filters it sends", async () => {
    // Another job's stopped container, unused volume and network, and untagged image.
    const { docker } = await testEngine();
    expect((await other.docker(['run', '--name', 'stopped', images.busybox, 'true'])).exitCode).toBe(0);
    expect((await other.docker(['volume', 'create', 'unused'])).exitCode).toBe(0);
    expect((await other.docker(['network', 'create', 'unused'])).exitCode).toBe(0);
    const dangling = (await other.docker(['commit', 'stopped'])).stdout.trim();
    expect(dangling).toMatch(/^sha256:/);
    const theirs = async () => ({
      container: (await docker.getContainer(`stopped`).inspect()).Id,
      volume: (await docker.getVolume('unused').inspect()).Name,
      network: (await docker.getNetwork('unused').inspect()).Id,
      image: (await docker.getImage(dangling).inspect()).Id,
    });
    const before = await theirs();
    for (const prune of [
      ['container', 'prune', '-f'],
      ['volume', 'prune', '-f'],
      ['network', 'prune', '-f'],
      ['image', 'prune', '-f'],
      ['image', 'prune', '-a', '-f'],
      ['system', 'prune', '-a', '-f', '--volumes'],
    ]) {
      expect((await job.docker(prune)).exitCode, prune.join(' ')).toBe(0);
    }
    // Filters naming the other sandbox only narrow the job's scope further.
    const widen = encodeURIComponent(JSON.stringify({ label: [`dev.sandkit.sandbox=${other.job.id}`] }));
    for (const kind of ['containers', 'volumes', 'networks', 'images']) {
      const answer = await rawApi(socketPath, 'POST', `/v1.41/${kind}/prune?filters=${widen}`);
      expect(answer.status, kind).toBe(200);
    }
    const bypass = encodeURIComponent(JSON.stringify({ until: ['0'] }));
    expect((await rawApi(socketPath, 'POST', `/images/prune?filters=${bypass}`)).status).toBe(400);
    // The job has no build cache of its own (the legacy builder's cache is its images).
    expect((await rawApi(socketPath, 'POST', '/build/prune?all=1')).body).toEqual({
      CachesDeleted: null,
      SpaceReclaimed: 0,
    });
    expect(await theirs()).toEqual(before);
    await expectUntouched();
  });

  it("an image's sandkit labels cannot make the sandbox's cleanup remove host paths", async () => {
    // Cleanup removes the host paths a container's dev.sandkit.host-paths label names; images pass labels on.
    const victim = await tempDir('sandkit-victim-');
    await writeFile(join(victim, 'keep'), 'kept\n');
    const short = await sharedJob(images);
    const image = `sandkit-test/labelled:${short.job.id}`;
    try {
      await short.job.writeFiles([
        {
          path: '/lbl/Dockerfile',
          content: `FROM ${images.busybox}\nLABEL dev.sandkit.host-paths='["${victim}"]'\n`,
        },
      ]);
      expect((await short.docker(['build', '-q', '-t', image, '/lbl'], legacy)).exitCode).toBe(0);
      expect((await short.docker(['run', '--name', 'labelled', image, 'true'])).exitCode).toBe(0);
      const { docker } = await testEngine();
      const labels = (await docker.getContainer('labelled').inspect()).Config.Labels;
      expect(labels?.['dev.sandkit.host-paths']).toBe('[]');
    } finally {
      await short.job.destroy();
    }
    expect(existsSync(join(victim, 'keep'))).toBe(true);
  });
});
