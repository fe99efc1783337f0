import { LABEL } from '@sandkit/core/runtime';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as engineSchema from '../../packages/runtime-socket/src/proxy/canonical-body/engine-schema.js';
import { guardedFields } from '../../packages/runtime-socket/src/proxy/canonical-body/schema-types.js';
import { testEngine } from '../support/engine.js';
import { engineNames } from '../support/engine-names.js';
import { bodyWith, fieldAt, respell, SPELLINGS } from '../support/hostile-bodies.js';
import { rawApi, rawExchange } from '../support/raw-engine-api.js';
import { sharedJob } from '../support/shared-job.js';

const images = inject('images');

/**
 * The bypasses of issue 11, tried as a job would: raw Engine API requests on
 * its proxy socket, and the docker CLI inside the job. Each must be refused,
 * or neutralised: whatever the engine created, inspected from the host, has
 * no privilege and stays in the job's sandbox.
 */
describe('the guarded socket reads bodies as the engine does, and owns only what the engine says', () => {
  let job: Awaited<ReturnType<typeof sharedJob>>;
  let other: Awaited<ReturnType<typeof sharedJob>>;
  let socketPath: string;
  /** The other job's container and volume: its names for them, their engine names, the container's id. */
  let theirs: { name: string; id: string; volume: string; engineName: string; engineVolume: string };
  let mine: string;

  const api = (method: string, path: string, body?: unknown) =>
    rawApi(
      socketPath,
      method,
      path,
      body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    );
  /** The containers the job created, from the host (its own sandbox container, sandkit's, aside). */
  const jobContainers = async () => {
    const { docker } = await testEngine();
    const list = await docker.listContainers({
      all: true,
      filters: JSON.stringify({ label: [`${LABEL.sandbox}=${job.job.id}`] }),
    });
    return Promise.all(
      list.filter((c) => c.Id !== job.job.containerId).map((c) => docker.getContainer(c.Id).inspect()),
    );
  };
  const expectNothingPrivileged = async () => {
    for (const c of await jobContainers()) {
      expect(c.HostConfig.Privileged, c.Name).toBe(false);
      expect(c.HostConfig.PidMode, c.Name).not.toBe('host');
      expect(c.HostConfig.CapAdd ?? [], c.Name).toEqual([]);
      expect(
        (c.Mounts ?? []).filter((m) => m.Type === 'bind'),
        c.Name,
      ).toEqual([]);
    }
  };

  beforeAll(async () => {
    [job, other] = await Promise.all([sharedJob(images), sharedJob(images)]);
    socketPath = (job.job.dockerHost as string).replace(/^unix:\/\//, '');
    // Another job on the same engine, with a container and a volume of its own.
    const name = `theirs-${other.job.id}`;
    const volume = `theirdata-${other.job.id}`;
    expect((await other.docker(['run', '-d', '--name', name, images.busybox, 'sleep', '600'])).exitCode).toBe(
      0,
    );
    expect((await other.docker(['volume', 'create', volume])).exitCode).toBe(0);
    await other.docker([
      'run',
      '--rm',
      '-v',
      `${volume}:/d`,
      images.busybox,
      'sh',
      '-c',
      'echo secret > /d/f',
    ]);
    const { docker } = await testEngine();
    const engineName = engineNames(other.job).object(name);
    theirs = {
      name,
      volume,
      engineName,
      engineVolume: engineNames(other.job).object(volume),
      id: (await docker.getContainer(engineName).inspect()).Id,
    };
    const created = await api('POST', `/containers/create?name=mine-${job.job.id}`, {
      Image: images.busybox,
      Cmd: ['sleep', '600'],
    });
    expect(created.status).toBe(201);
    mine = created.body.Id as string;
    expect((await api('POST', `/containers/${mine}/start`)).status).toBe(204);
  });
  afterAll(async () => {
    await job?.job.destroy();
    await other?.job.destroy();
  });

  describe('privilege hidden in spellings the engine reads', () => {
    const image = () => images.busybox;
    const bodies: Array<[string, () => string]> = [
      ['lower-case hostconfig', () => `{"Image":"${image()}","hostconfig":{"privileged":true}}`],
      [
        'a second HostConfig key',
        () => `{"Image":"${image()}","HostConfig":{},"hostConfig":{"Privileged":true}}`,
      ],
      ['the same key twice', () => `{"Image":"${image()}","HostConfig":{"Privileged":true},"HostConfig":{}}`],
      ['HostConfig fields at the top level', () => `{"Image":"${image()}","Privileged":true}`],
      [
        'lower-case mounts',
        () => `{"Image":"${image()}","HostConfig":{"mounts":[{"type":"bind","source":"/","target":"/h"}]}}`,
      ],
      ['lower-case binds', () => `{"Image":"${image()}","HostConfig":{"binds":["/:/h"]}}`],
      ['lower-case pidmode', () => `{"Image":"${image()}","HostConfig":{"pidmode":"host"}}`],
      ['lower-case networkmode', () => `{"Image":"${image()}","HostConfig":{"networkmode":"host"}}`],
      ['lower-case capadd, as a string', () => `{"Image":"${image()}","HostConfig":{"capadd":"SYS_ADMIN"}}`],
      [
        'lower-case securityopt',
        () => `{"Image":"${image()}","HostConfig":{"securityopt":["seccomp=unconfined"]}}`,
      ],
      [
        'Go-folded ſecurityOpt',
        () => `{"Image":"${image()}","HostConfig":{"\u017fecurityOpt":["apparmor=unconfined"]}}`,
      ],
      [
        'the Kelvin sign',
        () =>
          `{"Image":"${image()}","HostConfig":{"Devices":[],"DeviceCgroupRules":["a *:* rwm"],"\u212aernelMemory":0}}`,
      ],
      [
        'a labels twin carrying another sandbox',
        () => `{"Image":"${image()}","Labels":{},"labels":{"${LABEL.sandbox}":"other"}}`,
      ],
    ];

    it.each(bodies)('%s: refused', async (_name, body) => {
      for (const prefix of ['', '/v1.41', '/v1.24', '/v1.12']) {
        const answer = await api('POST', `${prefix}/containers/create`, body());
        expect([400, 403], `${prefix} ${answer.body.message}`).toContain(answer.status);
      }
      await expectNothingPrivileged();
    });

    it('every guarded HostConfig field, lower-cased or folded, is refused by the real proxy', async () => {
      for (const field of guardedFields(engineSchema.HOST_CONFIG)) {
        const type = fieldAt(engineSchema.HOST_CONFIG, field.path);
        for (const spell of [SPELLINGS.lower, SPELLINGS.goUnicodeFold] as const) {
          const hostile = field.hostile[0];
          const body = {
            Image: images.busybox,
            hostconfig: bodyWith(field.path, respell(hostile, type, spell), spell),
          };
          const answer = await api('POST', '/v1.41/containers/create', body);
          expect([400, 403], `${JSON.stringify(body)}: ${answer.body.message}`).toContain(answer.status);
        }
      }
      await expectNothingPrivileged();
    });

    it('privileged exec, in any spelling', async () => {
      for (const body of [
        '{"privileged":true,"Cmd":["true"]}',
        '{"Privileged":false,"privileged":true}',
        '{"PRIVILEGED":true}',
      ]) {
        const answer = await api('POST', `/containers/${mine}/exec`, body);
        expect([400, 403], answer.body.message).toContain(answer.status);
      }
    });

    it('a volume that bind-mounts a host path, in any spelling', async () => {
      for (const body of [
        { Name: `etc-${job.job.id}`, driveropts: { type: 'none', o: 'bind', device: '/etc' } },
        {
          name: `etc-${job.job.id}`,
          DriverOpts: {},
          driverOpts: { type: 'none', o: 'bind', device: '/etc' },
        },
      ]) {
        const answer = await api('POST', '/volumes/create', body);
        expect([400, 403], answer.body.message).toContain(answer.status);
      }
      const { docker } = await testEngine();
      await expect(
        docker.getVolume(engineNames(job.job).object(`etc-${job.job.id}`)).inspect(),
      ).rejects.toMatchObject({
        statusCode: 404,
      });
    });

    it('a HostConfig on start (API < 1.24 reads one) and other bodies on routes that take none', async () => {
      const answer = await api('POST', `/v1.23/containers/${mine}/start`, {
        Privileged: true,
        Binds: ['/:/h'],
      });
      expect(answer).toMatchObject({
        status: 400,
        body: { message: expect.stringMatching(/takes no request body/) },
      });
    });

    it('query parameters in a form-encoded body (the engine reads them as query)', async () => {
      const answer = await rawApi(socketPath, 'POST', '/build?t=x', 'networkmode=host', {
        'Content-Type': 'application/x-www-form-urlencoded',
      });
      expect(answer.status).toBe(400);
    });

    it('oversized and deeply nested bodies', async () => {
      const huge = JSON.stringify({ Image: images.busybox, Env: [`A=${'x'.repeat(2 * 1024 * 1024)}`] });
      expect((await api('POST', '/containers/create', huge)).status).toBe(413);
      const deep = `{"Image":"x","Labels":${'['.repeat(100)}${']'.repeat(100)}}`;
      expect((await api('POST', '/containers/create', deep)).status).toBe(400);
    });

    it('a hostile body split into chunks', async () => {
      const body = `{"Image":"${images.busybox}","hostconfig":{"privileged":true}}`;
      const chunks = [body.slice(0, 20), body.slice(20, 41), body.slice(41)]
        .map((chunk) => `${chunk.length.toString(16)}\r\n${chunk}\r\n`)
        .join('');
      const answer = await rawExchange(
        socketPath,
        'POST /v1.41/containers/create HTTP/1.1\r\nHost: x\r\nConnection: close\r\n' +
          `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 403[\s\S]*privileged containers are not allowed/);
      await expectNothingPrivileged();
    });

    it('a settings body smuggled in as an upgrade request', async () => {
      const smuggled = JSON.stringify({ Image: images.busybox, HostConfig: { Privileged: true } });
      const answer = await rawExchange(
        socketPath,
        'POST /v1.41/containers/create HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n' +
          `Content-Type: application/json\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 400[\s\S]*cannot upgrade the connection/);
      await expectNothingPrivileged();
    });

    it.each(['/v1.23', '/v1.41', ''])(
      "an old-API start body (a HostConfig) sent as an upgrade, on the job's own container (%s)",
      async (version) => {
        const created = await api(
          'POST',
          `/containers/create?name=upgraded-${job.job.id}${version.replace(/\W/g, '')}`,
          {
            Image: images.busybox,
            Cmd: ['sleep', '600'],
          },
        );
        const id = created.body.Id as string;
        const hostConfig = JSON.stringify({
          Binds: ['/:/host'],
          PidMode: 'host',
          NetworkMode: 'host',
          CapAdd: ['SYS_ADMIN'],
        });
        const answer = await rawExchange(
          socketPath,
          `POST ${version}/containers/${id}/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${hostConfig.length}\r\n\r\n${hostConfig}`,
        );
        expect(answer).toMatch(/^HTTP\/1\.1 400[\s\S]*cannot upgrade the connection/);
        await expectNothingPrivileged();
        const { docker } = await testEngine();
        expect((await docker.getContainer(id).inspect()).State.Running).toBe(false);
      },
    );

    it('an attach sent as an upgrade with a body', async () => {
      const answer = await rawExchange(
        socketPath,
        `POST /containers/${mine}/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
          'Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
      );
      expect(answer).toMatch(/^HTTP\/1\.1 400[\s\S]*takes no body when it upgrades/);
    });
  });

  describe("volumes a job's containers make are its own, and go with it", () => {
    it("an anonymous --mount volume carries the job's sandbox label, whatever labels the job gave it", async () => {
      const created = await api('POST', '/containers/create', {
        Image: images.busybox,
        HostConfig: {
          Mounts: [
            {
              Type: 'volume',
              Target: '/d',
              VolumeOptions: { Labels: { [LABEL.sandbox]: other.job.id, mine: 'yes' } },
            },
          ],
        },
      });
      expect(created.status).toBe(201);
      const { docker } = await testEngine();
      const [mount] = (await docker.getContainer(created.body.Id as string).inspect()).Mounts;
      const volume = await docker.getVolume(mount?.Name as string).inspect();
      expect(volume.Labels).toMatchObject({ [LABEL.sandbox]: job.job.id, mine: 'yes' });
      expect((await api('DELETE', `/containers/${created.body.Id as string}`)).status).toBe(204);
    });

    it('removing a container removes its anonymous volumes (which carry no label), even when the job says v=0', async () => {
      const created = await api('POST', '/containers/create', {
        Image: images.busybox,
        Volumes: { '/data': {} },
      });
      const { docker } = await testEngine();
      const [mount] = (await docker.getContainer(created.body.Id as string).inspect()).Mounts;
      expect((await api('DELETE', `/containers/${created.body.Id as string}?v=0`)).status).toBe(204);
      await expect(docker.getVolume(mount?.Name as string).inspect()).rejects.toThrow(/no such volume/i);
    });
  });

  describe("another job's networks stay out of reach", () => {
    it("a subnet of the job's choosing cannot be made (it could take over host routes)", async () => {
      const refused = await api('POST', '/networks/create', {
        Name: `routes-${job.job.id}`,
        IPAM: { Config: [{ Subnet: '192.0.2.240/29', Gateway: '192.0.2.241' }] },
      });
      expect(refused.status).toBe(403);
      expect(JSON.stringify(refused.body)).toContain('choosing network addresses (Subnet, Gateway)');
    });

    it("a network named like a prefix of their network id is the job's own, and never leads to theirs", async () => {
      const netName = `their-net-${other.job.id}`;
      expect((await other.docker(['network', 'create', netName])).exitCode).toBe(0);
      const { docker } = await testEngine();
      const theirNetwork = await docker.getNetwork(engineNames(other.job).object(netName)).inspect();
      const prefix = theirNetwork.Id.slice(0, 12);
      // testcontainers names its networks with 12 hex digits: such names are ordinary job names.
      expect((await job.docker(['network', 'create', prefix])).exitCode).toBe(0);
      const run = await job.docker(['run', '-d', '--network', prefix, images.busybox, 'sleep', '30']);
      expect(run.exitCode, run.stderr).toBe(0);
      const mine = await docker.getNetwork(engineNames(job.job).object(prefix)).inspect();
      expect(Object.keys(mine.Containers ?? {})).toHaveLength(1);
      expect(Object.keys((await docker.getNetwork(theirNetwork.Id).inspect()).Containers ?? {})).toEqual([]);
    });
  });

  describe('objects the job does not own stay out of reach', () => {
    it("another job's container name is the job's own to use, and their container stays out of reach by every name", async () => {
      // Their engine name, guessed: it reaches nothing, and the job's container of that name is its own.
      for (const name of [theirs.engineName, `/${theirs.engineName}`, theirs.id.slice(0, 12), theirs.id]) {
        expect((await job.docker(['exec', name, 'true'])).stderr, name).toMatch(/No such container/);
        expect((await job.docker(['stop', '-t', '0', name])).stderr, name).toMatch(/No such container/);
        expect((await api('GET', `/containers/${encodeURIComponent(name)}/json`)).status, name).toBe(404);
      }
      for (const name of [theirs.name, theirs.engineName]) {
        const create = await job.docker(['create', '--name', name, images.busybox]);
        expect(create.exitCode, create.stderr).toBe(0);
        const inspect = await job.docker(['inspect', '--format', '{{.Id}} {{.Name}}', name]);
        expect(inspect.stdout.trim()).toBe(`${create.stdout.trim()} /${name}`);
        expect((await job.docker(['rm', '-f', name])).exitCode).toBe(0);
      }
      const { docker } = await testEngine();
      expect((await docker.getContainer(theirs.id).inspect()).State.Running).toBe(true);
    });

    it("a name the job used, once someone else's, reaches nothing (removed by the job or by the engine)", async () => {
      for (const [name, run] of [
        [
          `freed-${job.job.id}`,
          ['run', '-d', '--name', `freed-${job.job.id}`, images.busybox, 'sleep', '300'],
        ],
        [
          `gone-${job.job.id}`,
          ['run', '-d', '--rm', '--name', `gone-${job.job.id}`, images.busybox, 'sleep', '1'],
        ],
      ] as const) {
        expect((await job.docker([...run])).exitCode).toBe(0);
        expect((await job.docker(['inspect', '--format', '{{.Name}}', name])).stdout.trim()).toBe(`/${name}`);
        if (name.startsWith('freed')) await job.docker(['rm', '-f', name]);
        else await job.docker(['wait', name]);
        const { docker } = await testEngine();
        for (let i = 0; i < 50; i++) {
          const still = await docker
            .getContainer(engineNames(job.job).object(name))
            .inspect()
            .then(
              () => true,
              () => false,
            );
          if (!still) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(
          (await other.docker(['run', '-d', '--name', name, images.busybox, 'sleep', '300'])).exitCode,
        ).toBe(0);
        expect((await job.docker(['exec', name, 'true'])).stderr).toMatch(/No such container/);
        expect((await job.docker(['rm', '-f', name])).stderr).toMatch(/No such container/);
        expect((await docker.getContainer(engineNames(other.job).object(name)).inspect()).State.Running).toBe(
          true,
        );
      }
    });

    it("a name that is a foreign container's full id is refused, and that id reaches nothing", async () => {
      const create = await job.docker(['create', '--name', theirs.id, images.busybox]);
      expect(create.exitCode).not.toBe(0);
      expect(create.stderr).toMatch(/may not look like a container id/);
      expect((await job.docker(['rm', '-f', theirs.id])).stderr).toMatch(/No such container/);
      expect((await job.docker(['exec', theirs.id.slice(0, 12), 'true'])).stderr).toMatch(
        /No such container/,
      );
    });

    it("another job's volume: its name is the job's own to use; by its engine name its data is neither read nor removed", async () => {
      for (const name of [theirs.engineVolume]) {
        expect((await job.docker(['volume', 'inspect', name])).stderr).toMatch(/No such volume/);
        expect((await job.docker(['volume', 'rm', name])).stderr).toMatch(/No such volume/);
      }
      const { docker } = await testEngine();
      const existing = await docker.createVolume({
        Name: engineNames(job.job).object(`taken-${job.job.id}`),
      });
      try {
        // A volume of the job's engine name that is not the job's (made on the host): never handed out.
        const taken = await job.docker(['volume', 'create', `taken-${job.job.id}`]);
        expect(taken.stderr).toMatch(/already exists and is not one of this job's volumes/);
        const mounted = await job.docker([
          'run',
          '--rm',
          '-v',
          `taken-${job.job.id}:/d`,
          images.busybox,
          'true',
        ]);
        expect(mounted.stderr).toMatch(/not one of this job's volumes/);
      } finally {
        await docker.getVolume(existing.name).remove();
      }
      for (const name of [theirs.volume, theirs.engineVolume]) {
        expect((await job.docker(['volume', 'create', name])).exitCode).toBe(0);
        const read = await job.docker(['run', '--rm', '-v', `${name}:/d`, images.busybox, 'cat', '/d/f']);
        expect(read.stderr, name).toMatch(/No such file/);
        expect((await job.docker(['volume', 'rm', name])).exitCode).toBe(0);
      }
      const check = await other.docker([
        'run',
        '--rm',
        '-v',
        `${theirs.volume}:/d`,
        images.busybox,
        'cat',
        '/d/f',
      ]);
      expect(check.stdout).toBe('secret\n');
    });

    it("the default bridge: the job's containers are not on it (they are on its own default network), and it shows no one else's", async () => {
      const { docker } = await testEngine();
      const onBridge = (network: { Containers?: Record<string, unknown> }) =>
        Object.keys(network.Containers ?? {});
      // A container on the engine's bridge that is not the job's (made on the host).
      const outsider = await docker.createContainer({
        Image: images.busybox,
        Cmd: ['sleep', '600'],
        Labels: { 'dev.sandkit.test': job.job.id },
      });
      try {
        await outsider.start();
        expect(onBridge(await docker.getNetwork('bridge').inspect())).toContain(outsider.id);
        const seen = await job.docker(['network', 'inspect', '--format', '{{json .Containers}}', 'bridge']);
        expect(JSON.parse(seen.stdout)).toEqual({});
        const networks = (await docker.getContainer(mine).inspect()).NetworkSettings.Networks;
        expect(Object.keys(networks)).toEqual([engineNames(job.job).object('default')]);
        expect(
          Object.keys((await docker.getContainer(theirs.id).inspect()).NetworkSettings.Networks),
        ).toEqual([engineNames(other.job).object('default')]);
      } finally {
        await outsider.remove({ force: true });
      }
    });

    it("a foreign container cannot be put on the job's network", async () => {
      const network = `mynet-${job.job.id}`;
      expect((await job.docker(['network', 'create', network])).exitCode).toBe(0);
      for (const name of [theirs.name, theirs.engineName, theirs.id]) {
        const connect = await job.docker(['network', 'connect', network, name]);
        expect(connect.stderr, name).toMatch(/not one of this job's containers/);
      }
    });

    it("sandkit's labels cannot be forged, in any case: the container stays in the job's sandbox", async () => {
      const answer = await api('POST', '/containers/create', {
        Image: images.busybox,
        Labels: { [LABEL.sandbox]: 'other', 'DEV.SANDKIT.SANDBOX': 'other', keep: 'me' },
      });
      expect(answer.status).toBe(201);
      const { docker } = await testEngine();
      const labels = (await docker.getContainer(answer.body.Id as string).inspect()).Config.Labels;
      expect(labels).toMatchObject({ [LABEL.sandbox]: job.job.id, keep: 'me' });
      expect(labels).not.toHaveProperty('DEV.SANDKIT.SANDBOX');
    });

    it("the sandbox's own container: readable, never changed", async () => {
      const inspect = await job.job.exec(['sh', '-c', 'docker inspect --format "{{.Id}}" $(hostname)']);
      expect(inspect.stdout.trim()).toBe(job.job.containerId);
      for (const command of [
        'docker update --pids-limit 100000 --memory 8g $(hostname)',
        'docker rename $(hostname) renamed',
        'docker pause $(hostname)',
        'docker kill $(hostname)',
        'docker rm -f $(hostname)',
        'docker exec -u root $(hostname) true',
        'docker cp $(hostname):/etc/hostname /tmp/copied',
      ]) {
        const result = await job.job.exec(['sh', '-c', command], { reject: false });
        expect(result.exitCode, command).not.toBe(0);
        expect(result.stderr, command).toMatch(
          /the sandbox's own container is not the job's to change or copy from/,
        );
      }
      const { docker } = await testEngine();
      const self = await docker.getContainer(job.job.containerId).inspect();
      expect(self.State.Running).toBe(true);
      expect(self.HostConfig.PidsLimit).not.toBe(100000);
    });
  });
});
