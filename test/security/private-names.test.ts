import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testEngine } from '../support/engine.js';
import { engineNames } from '../support/engine-names.js';
import { rawApi } from '../support/raw-engine-api.js';
import { sharedJob } from '../support/shared-job.js';

const images = inject('images');
const legacy = { env: { DOCKER_BUILDKIT: '0' } };

/**
 * A job's names are private, and the names are not what guards: another
 * job's objects stay out of reach by every name a job can guess — that job's
 * own names, their engine names (the other job's namespace), ids and id
 * prefixes — because ownership is still read from the engine's labels.
 * A job's own names, however spelled, always land in its own namespace.
 */
describe("another job's objects stay out of reach by their engine names, ids and prefixes", () => {
  let job: Awaited<ReturnType<typeof sharedJob>>;
  let other: Awaited<ReturnType<typeof sharedJob>>;
  let socketPath: string;
  let theirs: { network: string; networkId: string; tag: string; imageId: string };

  beforeAll(async () => {
    [job, other] = await Promise.all([sharedJob(images), sharedJob(images)]);
    socketPath = (job.job.dockerHost as string).replace(/^unix:\/\//, '');
    expect((await other.docker(['network', 'create', 'ci'])).exitCode).toBe(0);
    await other.job.writeFiles([
      { path: '/ctx/Dockerfile', content: `FROM ${images.busybox}\nRUN echo their-secret > /secret\n` },
    ]);
    expect((await other.docker(['build', '-q', '-t', 'app:latest', '/ctx'], legacy)).exitCode).toBe(0);
    const { docker } = await testEngine();
    const names = engineNames(other.job);
    const network = names.object('ci');
    const tag = names.tag('app:latest');
    theirs = {
      network,
      networkId: ((await docker.getNetwork(network).inspect()) as { Id: string }).Id,
      tag,
      imageId: (await docker.getImage(tag).inspect()).Id,
    };
  });
  afterAll(async () => {
    await job?.job.destroy();
    await other?.job.destroy();
  });

  it('their network, by its engine name, id or prefix: not seen, not joined, not removed', async () => {
    for (const name of [theirs.network, theirs.networkId, theirs.networkId.slice(0, 12)]) {
      expect((await job.docker(['network', 'inspect', name])).stderr, name).toMatch(
        /No such network|not found/,
      );
      expect((await job.docker(['network', 'rm', name])).stderr, name).toMatch(/No such network|not found/);
      const joined = await job.docker(['run', '--rm', '--network', name, images.busybox, 'true']);
      expect(joined.stderr, name).toMatch(/not one of this job's networks/);
      const created = await rawApi(
        socketPath,
        'POST',
        '/containers/create',
        JSON.stringify({
          Image: images.busybox,
          NetworkingConfig: { EndpointsConfig: { [name]: {} } },
        }),
      );
      expect(created.status, name).toBe(403);
    }
    const { docker } = await testEngine();
    expect(
      Object.keys(
        ((await docker.getNetwork(theirs.networkId).inspect()) as { Containers?: object }).Containers ?? {},
      ),
    ).toEqual([]);
  });

  it('a network the job names like theirs (engine name included) is its own, in its own namespace', async () => {
    for (const name of ['ci', theirs.network]) {
      expect((await job.docker(['network', 'create', name])).exitCode, name).toBe(0);
      const { docker } = await testEngine();
      const made = (await docker.getNetwork(engineNames(job.job).object(name)).inspect()) as {
        Labels?: Record<string, string>;
      };
      expect(made.Labels?.['dev.sandkit.sandbox']).toBe(job.job.id);
      expect((await job.docker(['network', 'rm', name])).exitCode).toBe(0);
    }
    expect((await job.docker(['network', 'create', 'bridge'])).stderr).toMatch(/the engine's own network/);
  });

  it('their private tag, by its name or its engine name: not run, inspected, tagged, saved, removed or built on', async () => {
    for (const reference of ['app:latest', theirs.tag]) {
      expect((await job.docker(['image', 'inspect', reference])).stderr, reference).toMatch(/No such image/);
      expect((await job.docker(['history', reference])).stderr, reference).toMatch(/No such image/);
      expect((await job.docker(['tag', reference, 'stolen:1'])).stderr, reference).toMatch(/No such image/);
      expect((await job.docker(['rmi', reference])).stderr, reference).toMatch(/No such image/);
      const saved = await job.job.exec(['sh', '-c', `docker save ${reference} > /dev/null`], {
        reject: false,
      });
      expect(saved.exitCode, reference).not.toBe(0);
      const run = await job.docker(['run', '--rm', '--pull', 'never', reference, 'cat', '/secret']);
      expect(run.stdout, reference).toBe('');
      expect(run.exitCode, reference).not.toBe(0);
      await job.job.writeFiles([
        { path: '/from/Dockerfile', content: `FROM ${reference}\nRUN cat /secret\n` },
      ]);
      const built = await job.docker(['build', '/from'], { ...legacy, timeoutMs: 60_000 });
      expect(built.exitCode, reference).not.toBe(0);
      expect(built.stdout, reference).not.toContain('their-secret');
    }
    // Nor do they show in its image list.
    const listed = await job.docker(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
    expect(listed.stdout).not.toContain('app:latest');
    expect(listed.stdout).not.toContain(theirs.imageId.slice(7, 19));
    const { docker } = await testEngine();
    expect((await docker.getImage(theirs.tag).inspect()).Id).toBe(theirs.imageId);
  });

  it('a tag the job names like theirs (engine name included) is its own, and theirs does not move', async () => {
    for (const name of ['app:latest', theirs.tag]) {
      expect((await job.docker(['tag', images.busybox, name])).exitCode, name).toBe(0);
      expect((await job.docker(['run', '--rm', name, 'cat', '/secret'])).exitCode, name).not.toBe(0);
      expect((await job.docker(['rmi', name])).exitCode, name).toBe(0);
    }
    const { docker } = await testEngine();
    expect((await docker.getImage(theirs.tag).inspect()).Id).toBe(theirs.imageId);
    expect((await other.docker(['run', '--rm', 'app:latest', 'cat', '/secret'])).stdout).toBe(
      'their-secret\n',
    );
  });
});
