import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  CancelledError,
  createSession,
  InvalidSpecError,
  RuntimeUnavailableError,
  type Sandbox,
  StartFailedError,
} from '@sandkit/core';
import { HTTPD_PAGE, HTTPD_PORT } from '@sandkit/host-setup';
import { sysbox } from '@sandkit/runtime-sysbox';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REMOUNT_CGROUPS_RW } from '../../../packages/runtime-sysbox/src/fallback/privileged-host-config.js';
import { leftovers, NOTHING_LEFT, testEngine } from '../../support/engine.js';
import { httpGetWhenUp } from '../../support/http-get.js';
import { SYSTEM_CONTAINER_MODES } from '../../support/system-container-modes.js';
import { tempDir } from '../../support/temp-dir.js';

const images = inject('images');
const hasSysbox = SYSTEM_CONTAINER_MODES.some((mode) => mode.sysbox && !mode.skipReason);

/** Loads host images into a sandbox's inner daemon through `sandbox.docker()`. */
async function loadInto(sandbox: Sandbox, refs: string[]): Promise<void> {
  const { docker } = await testEngine();
  const tar = (await (
    docker as unknown as { getImages(o: { names: string[] }): Promise<Readable> }
  ).getImages({ names: refs })) as Readable;
  const response = await sandbox.docker().loadImage(tar);
  await new Promise((resolve, reject) =>
    sandbox.docker().modem.followProgress(response, (e: Error | null) => (e ? reject(e) : resolve(null))),
  );
}

for (const mode of SYSTEM_CONTAINER_MODES)
  describe.skipIf(mode.skipReason !== undefined)(
    `sysbox runtime (${mode.name}): sandboxes with their own Docker daemon`,
    () => {
      const session = createSession();
      const warnings: string[] = [];
      let stateDir: string;
      let runtime: ReturnType<typeof sysbox>;
      let sb: Sandbox;

      beforeAll(async () => {
        stateDir = await tempDir('sandkit-state-');
        runtime = sysbox({ session, ...mode.options, stateDir, onWarning: (w) => warnings.push(w) });
        sb = await runtime.create({ image: images.dind, pull: 'never', docker: 'isolated', ports: [8081] });
        await loadInto(sb, [images.busybox, images.httpd]);
      });
      afterAll(async () => {
        await sb?.destroy();
      });

      it('says in probe() whether it runs under Sysbox or on the insecure fallback, and why', async () => {
        const probe = await runtime.probe();
        expect(probe.available).toBe(true);
        expect(probe.dockerAccess).toEqual(['isolated', 'none']);
        expect(probe.insecure).toBe(!mode.sysbox);
        if (mode.sysbox) expect(probe.facts.sysboxPath).not.toBe('');
        else {
          expect(probe.reasons[0]).toContain('INSECURE FALLBACK');
          expect(['privileged', 'explicit-capabilities']).toContain(probe.facts.privilegeMode);
        }
        expect(probe.facts.kernel).not.toBe('');
        expect(probe.facts.cgroupVersion).toMatch(/^[12]$/);
      });

      it('warns once, loudly, when it uses the insecure fallback', () => {
        expect(warnings).toHaveLength(mode.sysbox ? 0 : 1);
        if (!mode.sysbox) expect(warnings[0]).toContain('INSECURE');
      });

      it('keeps the inner data root on a labelled volume, not the overlay rootfs', async () => {
        const { docker } = await testEngine();
        const info = await docker.getContainer(sb.containerId).inspect();
        const dataRoot = info.Mounts.find((m) => m.Destination === '/var/lib/docker');
        expect(dataRoot?.Type).toBe('volume');
        expect((await sb.docker().info()).Driver).toBe('overlay2');
      });

      it('runs inner containers from images loaded into its daemon', async () => {
        const run = await sb.exec([
          'docker',
          'run',
          '--rm',
          images.busybox,
          'sh',
          '-c',
          'echo inner $(hostname | wc -c)',
        ]);
        expect(run.stdout).toMatch(/^inner \d+\n$/);
      });

      it('gives inner networks working DNS between inner containers', async () => {
        await sb.exec(['docker', 'network', 'create', 'app']);
        await sb.exec(['docker', 'run', '-d', '--name', 'web', '--network', 'app', images.httpd]);
        const fetched = await sb.exec([
          'docker',
          'run',
          '--rm',
          '--network',
          'app',
          images.busybox,
          ...httpGetWhenUp(`http://web:${HTTPD_PORT}/`),
        ]);
        expect(fetched.stdout).toBe(HTTPD_PAGE);
      });

      it('reaches ports published by inner containers through endpoint()', async () => {
        await sb.exec(['docker', 'run', '-d', '-p', `8081:${HTTPD_PORT}`, images.httpd]);
        const endpoint = await sb.endpoint(8081);
        let body = '';
        for (let i = 0; i < 50 && body !== HTTPD_PAGE; i++) {
          body = await fetch(`http://${endpoint}/`).then(
            (r) => r.text(),
            () => '',
          );
          if (body !== HTTPD_PAGE) await new Promise((r) => setTimeout(r, 100));
        }
        expect(body).toBe(HTTPD_PAGE);
      });

      it("reaches any port an inner container publishes at the sandbox's address(), unlisted in the spec", async () => {
        await sb.exec(['docker', 'run', '-d', '-p', `8082:${HTTPD_PORT}`, images.httpd]);
        const address = await sb.address();
        let body = '';
        for (let i = 0; i < 50 && body !== HTTPD_PAGE; i++) {
          body = await fetch(`http://${address}:8082/`).then(
            (r) => r.text(),
            () => '',
          );
          if (body !== HTTPD_PAGE) await new Promise((r) => setTimeout(r, 100));
        }
        expect(body).toBe(HTTPD_PAGE);
      });

      it('hands the host a DOCKER_HOST and a client for the inner daemon, not the host engine', async () => {
        const { docker: host } = await testEngine();
        expect(sb.dockerHost).toBe(`unix://${join(stateDir, sb.id, 'docker.sock')}`);
        const containers = await sb.docker().listContainers();
        expect(containers.length).toBeGreaterThanOrEqual(2);
        const hostIds = new Set((await host.listContainers()).map((c) => c.Id));
        expect(containers.some((c) => hostIds.has(c.Id))).toBe(false);
      });

      it('destroy removes the container, its volume and its host directory, inner containers included', async () => {
        const other = await runtime.create({ image: images.dind, pull: 'never', docker: 'isolated' });
        await other.exec(['docker', 'run', '-d', images.busybox]).catch(() => undefined);
        expect(existsSync(join(stateDir, other.id))).toBe(true);
        await other.destroy();
        expect(existsSync(join(stateDir, other.id))).toBe(false);
        expect(await leftovers({ sandbox: other.id })).toEqual(NOTHING_LEFT);
      });
    },
  );

for (const mode of SYSTEM_CONTAINER_MODES)
  describe.skipIf(mode.skipReason !== undefined)(
    `sysbox runtime (${mode.name}): many sandboxes at once`,
    () => {
      it('runs several sandboxes in parallel, each with its own daemon', async () => {
        const session = createSession();
        const runtime = sysbox({ session, ...mode.options });
        const sandboxes = await Promise.all(
          [1, 2, 3].map(() => runtime.create({ image: images.dind, pull: 'never', docker: 'isolated' })),
        );
        try {
          const ids = await Promise.all(sandboxes.map(async (s) => (await s.docker().info()).ID));
          expect(new Set(ids).size).toBe(3);
          await Promise.all(
            sandboxes.map((s) => s.exec(['docker', 'network', 'create', 'same-name-everywhere'])),
          );
        } finally {
          await Promise.all(sandboxes.map((s) => s.destroy()));
        }
        expect(await leftovers({ session: session.id })).toEqual(NOTHING_LEFT);
      });
    },
  );

for (const mode of SYSTEM_CONTAINER_MODES)
  describe.skipIf(mode.skipReason !== undefined)(
    `sysbox runtime (${mode.name}): reaching the daemon through an exec relay`,
    () => {
      it('relays the inner API over `docker system dial-stdio` when no host socket is shared', async () => {
        const session = createSession();
        const runtime = sysbox({
          session,
          ...mode.options,
          innerDaemon: { startedBy: 'image' },
        });
        await using sb = await runtime.create({
          image: images.dind,
          pull: 'never',
          docker: 'isolated',
          cmd: [
            'sh',
            '-c',
            `${mode.sysbox ? '' : REMOUNT_CGROUPS_RW}\nexec dockerd --storage-driver=overlay2`,
          ],
        });
        expect(sb.dockerHost).toContain('sandkit-relay');
        expect(await sb.docker().ping()).toBeTruthy();
        const version = await sb.docker().version();
        expect(version.Version).toMatch(/^\d+\./);
      });
    },
  );

for (const mode of SYSTEM_CONTAINER_MODES)
  describe.skipIf(mode.skipReason !== undefined)(
    `sysbox runtime (${mode.name}): failure paths leave nothing behind`,
    () => {
      const session = createSession();
      let stateDir: string;
      beforeAll(async () => {
        stateDir = await tempDir('sandkit-state-');
      });
      const nothingLeft = async () => {
        expect(await leftovers({ session: session.id })).toEqual(NOTHING_LEFT);
        expect(await readdir(stateDir)).toEqual([]);
      };

      it('rejects what Sysbox cannot run before creating anything', async () => {
        const runtime = sysbox({ session, ...mode.options, stateDir });
        const error = await runtime
          .create({ image: images.dind, pull: 'never', env: { SYSBOX_IGNORE_SYSFS: 'TRUE' } })
          .catch((e: unknown) => e);
        expect(InvalidSpecError.is(error)).toBe(true);
        expect((error as InvalidSpecError).issues.map((i) => i.path)).toEqual([
          'docker',
          'env.SYSBOX_IGNORE_SYSFS',
        ]);
        await nothingLeft();
      });

      it('never falls back to privileged unless asked to', async () => {
        // An OCI runtime name the engine does not list stands in for a host without Sysbox.
        const runtime = sysbox({ session, stateDir, ociRuntime: 'sandkit-no-such-runtime' });
        const error = await runtime
          .create({ image: images.dind, pull: 'never', docker: 'isolated' })
          .catch((e: unknown) => e);
        expect(RuntimeUnavailableError.is(error)).toBe(true);
        expect((error as Error).message).toContain('allowInsecure');
        await nothingLeft();
      });

      it('fails with StartFailedError and the daemon log when the inner daemon does not answer in time', async () => {
        const runtime = sysbox({
          session,
          ...mode.options,
          stateDir,
          innerDaemon: { extraArgs: ['--debug'], readyTimeoutMs: 150 },
        });
        const error = await runtime
          .create({ image: images.dind, pull: 'never', docker: 'isolated' })
          .catch((e: unknown) => e);
        expect(StartFailedError.is(error)).toBe(true);
        expect((error as Error).message).toContain('did not answer /_ping within 150 ms');
        await nothingLeft();
      });

      it('fails with StartFailedError when the inner daemon cannot start at all', async () => {
        const runtime = sysbox({
          session,
          ...mode.options,
          stateDir,
          innerDaemon: { storageDriver: 'no-such-driver' },
        });
        const error = await runtime
          .create({ image: images.dind, pull: 'never', docker: 'isolated' })
          .catch((e: unknown) => e);
        expect(StartFailedError.is(error)).toBe(true);
        expect((error as StartFailedError).logTail).toContain('no-such-driver');
        await nothingLeft();
      });

      it.each([100, 700, 1_500])(
        'cancels with CancelledError when aborted %i ms into the daemon start',
        async (afterMs) => {
          const runtime = sysbox({ session, ...mode.options, stateDir });
          const error = await runtime
            .create(
              { image: images.dind, pull: 'never', docker: 'isolated' },
              { signal: AbortSignal.timeout(afterMs) },
            )
            .then(
              async (sb) => {
                await sb.destroy();
                return undefined;
              },
              (e: unknown) => e,
            );
          if (error !== undefined) expect(CancelledError.is(error)).toBe(true);
          await nothingLeft();
        },
      );
    },
  );

describe.skipIf(!hasSysbox)('sysbox runtime under a real Sysbox', () => {
  it('runs the sandbox under sysbox-runc, unprivileged, and checks that the engine honoured it', async () => {
    const runtime = sysbox({ session: createSession() });
    await using sb = await runtime.create({ image: images.dind, pull: 'never', docker: 'isolated' });
    const { docker } = await testEngine();
    const info = await docker.getContainer(sb.containerId).inspect();
    expect(info.HostConfig.Runtime).toBe('sysbox-runc');
    expect(info.HostConfig.Privileged).toBe(false);
    expect(
      (await sb.exec(['docker', 'run', '--rm', images.busybox, 'true'], { reject: false })).exitCode,
    ).toBeDefined();
  });
});
