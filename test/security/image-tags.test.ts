import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testEngine } from '../support/engine.js';
import { engineNames } from '../support/engine-names.js';
import { rawApi } from '../support/raw-engine-api.js';
import { sharedJob } from '../support/shared-job.js';
import { tempDir } from '../support/temp-dir.js';
import { readUstar, ustar } from '../support/ustar.js';

const images = inject('images');
const legacy = { env: { DOCKER_BUILDKIT: '0' } };

/** A readable stream's bytes. */
async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A `docker save` archive re-packed (plain USTAR headers) to name `tag`
 * alone, in `manifest.json` and `repositories`; `edit` changes the manifest's
 * text further.
 */
function retagArchive(archive: Buffer, tag: string, edit = (manifest: string) => manifest): Buffer {
  const colon = tag.lastIndexOf(':');
  return ustar(
    readUstar(archive).map((entry) => {
      const text = () => (entry.content as Buffer).toString('utf8');
      if (entry.name === 'manifest.json') {
        const items = JSON.parse(text()) as Array<{ RepoTags: string[] }>;
        for (const item of items) item.RepoTags = [tag];
        return { ...entry, content: edit(JSON.stringify(items)) };
      }
      if (entry.name === 'repositories') {
        const repositories = JSON.parse(text()) as Record<string, Record<string, string>>;
        const id = Object.values(Object.values(repositories)[0] ?? {})[0] ?? '';
        return {
          ...entry,
          content: JSON.stringify({ [tag.slice(0, colon)]: { [tag.slice(colon + 1)]: id } }),
        };
      }
      return entry;
    }),
  );
}

/**
 * Image tags are private per job: every route that points a tag (tag, build,
 * commit, import, load) points the job's own tag of that name — never one
 * made on the host or by another job, in any spelling, nor another job's
 * tag by its engine name; pulls stay shared and never re-point a tag that
 * exists and is not the job's; removals and prunes reach only the job's own
 * tags and images. Every case is checked from the host: the tags still point
 * where they did.
 */
describe("a job's tags are its own: it cannot take over, overwrite or remove tags and objects that are not", () => {
  let job: Awaited<ReturnType<typeof sharedJob>>;
  let other: Awaited<ReturnType<typeof sharedJob>>;
  let socketPath: string;
  /** A tag made on the host, and one another job made (its name, and its engine name), all on the busybox image. */
  let hostTag: string;
  let theirTag: string;
  let theirEngineTag: string;
  let busyboxId: string;
  let mine: string;
  let mineId: string;

  const sh = (script: string) =>
    job.job.exec(['sh', '-c', script], { reject: false, timeoutMs: 60_000, ...legacy });
  const pointsAt = async (tag: string) => {
    const { docker } = await testEngine();
    return (await docker.getImage(tag).inspect()).Id;
  };
  const expectUntouched = async () => {
    expect(await pointsAt(hostTag)).toBe(busyboxId);
    expect(await pointsAt(theirEngineTag)).toBe(busyboxId);
    expect((await other.docker(['image', 'inspect', '-f', '{{.Id}}', theirTag])).stdout.trim()).toBe(
      busyboxId,
    );
  };
  /** What the job's name for an image stands for, to the job. */
  const seenByJob = async (tag: string) =>
    (await job.docker(['image', 'inspect', '-f', '{{.Id}}', tag])).stdout.trim();
  /** Removes the job's own tags of these names (made by the test before). */
  const untag = async (...tags: string[]) => {
    for (const tag of tags) expect((await job.docker(['rmi', tag])).exitCode, tag).toBe(0);
  };

  beforeAll(async () => {
    [job, other] = await Promise.all([sharedJob(images), sharedJob(images)]);
    socketPath = (job.job.dockerHost as string).replace(/^unix:\/\//, '');
    const { docker } = await testEngine();
    busyboxId = (await docker.getImage(images.busybox).inspect()).Id;
    hostTag = `sandkit-test/host-made:${job.job.id}`;
    await docker.getImage(images.busybox).tag({ repo: 'sandkit-test/host-made', tag: job.job.id });
    theirTag = `sandkit-test/theirs:${other.job.id}`;
    theirEngineTag = engineNames(other.job).tag(theirTag);
    expect((await other.docker(['tag', images.busybox, theirTag])).exitCode).toBe(0);
    mine = `sandkit-test/mine:${job.job.id}`;
    await job.job.writeFiles([
      { path: '/ctx/Dockerfile', content: `FROM ${images.busybox}\nRUN echo mine > /mine\n` },
    ]);
    expect((await job.docker(['build', '-q', '-t', mine, '/ctx'], legacy)).exitCode).toBe(0);
    mineId = await seenByJob(mine);
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

  it("docker tag onto someone else's tag, in any spelling of its name, makes the job's own", async () => {
    const targets = [hostTag, theirTag, `docker.io/${hostTag}`, theirEngineTag];
    for (const target of targets) {
      const tagged = await job.docker(['tag', mine, target]);
      expect(tagged.exitCode, tagged.stderr).toBe(0);
      expect(await seenByJob(target), target).toBe(mineId);
      expect((await job.docker(['run', '--rm', target, 'cat', '/mine'])).stdout).toBe('mine\n');
    }
    const raw = await rawApi(
      socketPath,
      'POST',
      `/v1.41/images/${encodeURIComponent(mine)}/tag?repo=index.docker.io/sandkit-test/theirs&tag=${other.job.id}`,
    );
    expect(raw.status).toBe(201);
    await expectUntouched();
    await untag(hostTag, theirTag, theirEngineTag);
    expect(await seenByJob(hostTag)).toBe(busyboxId);
    expect((await job.docker(['image', 'inspect', theirTag])).stderr).toMatch(/No such image/);
  });

  it("docker build -t onto someone else's tag builds the job's own", async () => {
    const built = await job.docker(['build', '-t', mine, '-t', theirTag, '/ctx'], legacy);
    expect(built.exitCode, built.stderr).toBe(0);
    expect(built.stdout).toContain(`Successfully tagged ${theirTag}\n`);
    await expectUntouched();
    await untag(theirTag);
  });

  it("docker commit onto someone else's tag commits the job's own; the sandbox container is never committed", async () => {
    expect((await job.docker(['commit', 'made', hostTag])).exitCode).toBe(0);
    expect(await seenByJob(hostTag)).not.toBe(busyboxId);
    const own = await job.docker(['commit', `sandkit-${job.job.id}`, `sandkit-test/copy:${job.job.id}`]);
    expect(own.stderr).toMatch(/sandbox's own container is not the job's to commit/);
    await expectUntouched();
    await untag(hostTag);
  });

  it("docker import onto someone else's tag imports the job's own; imports the engine would fetch from a URL are refused", async () => {
    const imported = await sh(`docker export made > /tmp/fs.tar && docker import /tmp/fs.tar ${theirTag}`);
    expect(imported.exitCode, imported.stderr).toBe(0);
    const fetched = await rawApi(
      socketPath,
      'POST',
      `/images/create?fromSrc=${encodeURIComponent('http://127.0.0.1:9/x.tar')}&repo=sandkit-test/fetched`,
    );
    expect(fetched.status).toBe(403);
    expect(fetched.body.message).toMatch(/importing from a URL is not allowed/);
    await expectUntouched();
    await untag(theirTag);
  });

  it("docker load of an archive that names someone else's tag loads the job's own; disguised archives are refused", async () => {
    // The job's own image saved, its archive rewritten (on the host) to name the host's tag instead.
    const { docker } = await testEngine();
    const saved = await streamToBuffer(await docker.getImage(engineNames(job.job).tag(mine)).get());
    const loads = {
      renamed: retagArchive(saved, hostTag),
      'lower-case repotags': retagArchive(saved, hostTag, (manifest) =>
        manifest.replace('"RepoTags"', '"repotags"'),
      ),
    };
    for (const [name, archive] of Object.entries(loads)) {
      const loaded = await rawApi(socketPath, 'POST', '/images/load?quiet=1', archive, {
        'Content-Type': 'application/x-tar',
      });
      expect(JSON.stringify(loaded.body), name).toContain(`Loaded image: ${hostTag}`);
      expect(await seenByJob(hostTag), name).toBe(mineId);
      await expectUntouched();
      await untag(hostTag);
    }
    // Archives the job packs itself (busybox tar writes GNU headers), or disguises: refused.
    const unpack = `rm -rf /tmp/x && mkdir /tmp/x && cd /tmp/x && docker save ${mine} | tar x`;
    const refused = {
      'a GNU tar': 'tar cf /tmp/evil.tar *',
      'manifest.json a symlink':
        'mv manifest.json m.json && ln -s m.json manifest.json && tar cf /tmp/evil.tar *',
      gzip: 'tar cf - * | gzip > /tmp/evil.tar',
    };
    for (const [name, pack] of Object.entries(refused)) {
      const loaded = await sh(`${unpack} && ${pack} && docker load -i /tmp/evil.tar`);
      expect(loaded.exitCode, name).not.toBe(0);
      expect(loaded.stderr, name).toMatch(/sandkit policy denied/);
      await expectUntouched();
    }
  });

  it("docker pull onto a tag that is not the job's is refused before the engine is asked, and so is one onto its own", async () => {
    const pulled = await job.docker(['pull', hostTag]);
    expect(pulled.stderr).toMatch(/pulling would re-point a tag: image tag .* is not this job's/);
    expect((await job.docker(['pull', '-a', 'sandkit-test/host-made'])).stderr).toMatch(/name the tag/);
    expect((await job.docker(['tag', mine, hostTag])).exitCode).toBe(0);
    expect((await job.docker(['pull', hostTag])).stderr).toMatch(
      /is this job's own: pulling would not change/,
    );
    await untag(hostTag);
    await expectUntouched();
  });

  it("docker rmi of a tag that is not the job's, or of an image someone else tags, with or without force", async () => {
    for (const args of [[hostTag], [busyboxId], ['-f', busyboxId.slice(7, 19)]]) {
      const removed = await job.docker(['rmi', ...args]);
      expect(removed.exitCode, args.join(' ')).not.toBe(0);
      expect(removed.stderr).toMatch(/sandkit policy denied/);
    }
    // Another job's tag is not even seen, by its name or its engine name.
    for (const args of [['-f', theirTag], [theirEngineTag]]) {
      const removed = await job.docker(['rmi', ...args]);
      expect(removed.stderr, args.join(' ')).toMatch(/No such image/);
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
    const theirName = engineNames(other.job).object;
    const theirs = async () => ({
      container: (await docker.getContainer(theirName('stopped')).inspect()).Id,
      volume: (await docker.getVolume(theirName('unused')).inspect()).Name,
      network: (await docker.getNetwork(theirName('unused')).inspect()).Id,
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
      const labels = (await docker.getContainer(engineNames(short.job).object('labelled')).inspect()).Config
        .Labels;
      expect(labels?.['dev.sandkit.host-paths']).toBe('[]');
    } finally {
      await short.job.destroy();
    }
    expect(existsSync(join(victim, 'keep'))).toBe(true);
  });
});
