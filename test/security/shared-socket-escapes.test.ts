import { createSession } from '@sandkit/core';
import { LABEL } from '@sandkit/core/runtime';
import { socket } from '@sandkit/runtime-socket';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testEngine } from '../support/engine.js';
import { sharedJob } from '../support/shared-job.js';

const images = inject('images');

/**
 * Each escape is tried with the real docker CLI inside a job container that
 * has `docker: 'shared'`. It must fail with sandkit's message, and the engine
 * must not have gained anything from it.
 */
describe('the guarded socket denies escapes', () => {
  let job: Awaited<ReturnType<typeof sharedJob>>;
  let other: { containerId: string; destroy(): Promise<void> };
  let otherName: string;
  let jobContainersBefore: number;
  /** Containers the job has (everything it creates carries its label): an escape must not add any. */
  const jobContainers = async () => {
    const { docker } = await testEngine();
    return docker.listContainers({
      all: true,
      filters: JSON.stringify({ label: [`${LABEL.sandbox}=${job.job.id}`] }),
    });
  };

  beforeAll(async () => {
    job = await sharedJob(images);
    // Someone else's container on the same engine: the job must not see or touch it.
    const neighbour = await socket({ session: createSession() }).create({
      image: images.busybox,
      pull: 'never',
    });
    other = neighbour;
    const { docker } = await testEngine();
    otherName = (await docker.getContainer(neighbour.containerId).inspect()).Name.replace(/^\//, '');
    jobContainersBefore = (await jobContainers()).length;
  });
  afterAll(async () => {
    await job?.job.destroy();
    await other?.destroy();
  });

  const busybox = () => images.busybox;
  const escapes: Array<[string, () => string[], RegExp]> = [
    [
      '--privileged',
      () => ['run', '--rm', '--privileged', busybox(), 'true'],
      /privileged containers are not allowed/,
    ],
    ['--pid=host', () => ['run', '--rm', '--pid=host', busybox(), 'true'], /host's pid namespace/],
    [
      '--network=host',
      () => ['run', '--rm', '--network=host', busybox(), 'true'],
      /host's network namespace/,
    ],
    ['--ipc=host', () => ['run', '--rm', '--ipc=host', busybox(), 'true'], /host's ipc namespace/],
    ['--uts=host', () => ['run', '--rm', '--uts=host', busybox(), 'true'], /host's uts namespace/],
    ['--userns=host', () => ['run', '--rm', '--userns=host', busybox(), 'true'], /host's user namespace/],
    [
      '--cgroupns=host',
      () => ['run', '--rm', '--cgroupns=host', busybox(), 'true'],
      /host's cgroup namespace/,
    ],
    [
      '-v /:/host',
      () => ['run', '--rm', '-v', '/:/host', busybox(), 'cat', '/host/etc/shadow'],
      /bind-mounting host path "\/"/,
    ],
    [
      '--mount type=bind',
      () => ['run', '--rm', '--mount', 'type=bind,src=/etc,dst=/x', busybox(), 'true'],
      /bind-mounting host path "\/etc"/,
    ],
    [
      '--cap-add SYS_ADMIN',
      () => ['run', '--rm', '--cap-add', 'SYS_ADMIN', busybox(), 'true'],
      /adding capabilities is not allowed/,
    ],
    [
      '--device',
      () => ['run', '--rm', '--device', '/dev/loop0', busybox(), 'true'],
      /host devices are not allowed/,
    ],
    [
      'seccomp=unconfined',
      () => ['run', '--rm', '--security-opt', 'seccomp=unconfined', busybox(), 'true'],
      /security option "seccomp=unconfined"/,
    ],
    [
      'apparmor=unconfined',
      () => ['run', '--rm', '--security-opt', 'apparmor=unconfined', busybox(), 'true'],
      /security option "apparmor=unconfined"/,
    ],
    [
      '--sysctl',
      () => ['run', '--rm', '--sysctl', 'net.ipv4.ip_forward=1', busybox(), 'true'],
      /sysctls are not allowed/,
    ],
    [
      '--volumes-from another job',
      () => ['run', '--rm', '--volumes-from', otherName, busybox(), 'true'],
      /--volumes-from .* not one of this job's/,
    ],
    [
      '--network container:another job',
      () => ['run', '--rm', '--network', `container:${otherName}`, busybox(), 'true'],
      /not one of this job's containers/,
    ],
    [
      '--pid container:another job',
      () => ['run', '--rm', '--pid', `container:${otherName}`, busybox(), 'true'],
      /not one of this job's containers/,
    ],
    [
      'a bind-mounting volume',
      () => ['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', 'device=/', 'rootfs'],
      /volume driver options are not allowed/,
    ],
    [
      'a macvlan network',
      () => ['network', 'create', '-d', 'macvlan', 'lan'],
      /network driver "macvlan" is not allowed/,
    ],
    [
      'pushing an image to a registry',
      () => ['push', 'sandkit-test/pushed:1'],
      /not available through the guarded engine socket/,
    ],
  ];

  it.each(escapes)('%s', async (_name, args, message) => {
    const result = await job.docker(args());
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(message);
    const { docker } = await testEngine();
    const containers = await jobContainers();
    expect(containers).toHaveLength(jobContainersBefore);
    for (const c of containers)
      expect((await docker.getContainer(c.Id).inspect()).HostConfig.Privileged).toBe(false);
  });

  it("hides other jobs' containers: they are absent, not forbidden", async () => {
    const inspect = await job.docker(['inspect', otherName]);
    expect(inspect.exitCode).not.toBe(0);
    expect(inspect.stderr).toMatch(/No such (object|container)/);
    expect((await job.docker(['exec', otherName, 'true'])).stderr).toMatch(/No such container/);
    expect((await job.docker(['rm', '-f', otherName])).stderr).toMatch(/No such container/);
    expect((await job.docker(['logs', otherName])).stderr).toMatch(/No such container/);
    const ps = await job.docker(['ps', '-a', '--format', '{{.Names}}']);
    expect(ps.stdout).not.toContain(otherName);
    const { docker } = await testEngine();
    expect((await docker.getContainer(other.containerId).inspect()).State.Running).toBe(true);
  });

  it("refuses privileged exec even into the job's own containers", async () => {
    const started = await job.docker(['run', '-d', '--name', 'mine', images.busybox, 'sleep', '300']);
    expect(started.exitCode).toBe(0);
    const result = await job.docker(['exec', '--privileged', 'mine', 'true']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/privileged exec is not allowed/);
  });
});
