import type { Readable } from 'node:stream';
import { createSession } from '@sandkit/core';
import { createContainerSandbox, labelledVolumeMount, sandboxLabels } from '@sandkit/core/runtime';
import { detectPrivilegeMode } from '@sandkit/runtime-sysbox';
import { describe, expect, inject, it } from 'vitest';
import {
  privilegedHostConfig,
  REMOUNT_CGROUPS_RW,
} from '../../../packages/runtime-sysbox/src/fallback/privileged-host-config.js';
import { leftovers, NOTHING_LEFT, testEngine } from '../../support/engine.js';

const images = inject('images');

describe('the offline dind image', () => {
  const session = createSession();

  it('starts an inner dockerd that answers /_ping and runs a container from an image loaded into it', async () => {
    const engine = await testEngine();
    const mode = await detectPrivilegeMode(engine);
    console.log(
      `privilege mode on this engine: ${mode.kind}${mode.kind === 'explicit-capabilities' ? ` (engine cannot grant ${mode.unavailable.join(', ')})` : ''}`,
    );
    await using sandbox = await createContainerSandbox({
      engine,
      session,
      runtime: 'images-test',
      spec: {
        image: images.dind,
        pull: 'never',
        cmd: ['sh', '-c', `${REMOUNT_CGROUPS_RW}\nexec dockerd --host unix:///var/run/docker.sock`],
        readiness: { exec: ['docker', 'version'] },
      },
      options: { timeoutMs: 60_000 },
      blueprint: async ({ sandboxId }) => ({
        hostConfig: {
          ...privilegedHostConfig(mode),
          // The inner data root must not be the container's overlay rootfs.
          Mounts: [
            labelledVolumeMount(
              '/var/lib/docker',
              sandboxLabels({ session, sandboxId, runtime: 'images-test' }),
            ),
          ],
        },
      }),
    });

    const ping = await sandbox.exec(['docker', 'version', '--format', '{{.Server.Version}}']);
    expect(ping.stdout.trim()).toMatch(/^\d+\.\d+/);

    const saved = await engine.docker.getImage(images.busybox).get();
    const load = await sandbox.exec(['docker', 'load'], { stdin: saved as unknown as Readable });
    expect(load.stdout).toContain(images.busybox);

    const run = await sandbox.exec([
      'docker',
      'run',
      '--rm',
      images.busybox,
      'echo',
      'hello from the inner daemon',
    ]);
    expect(run.stdout).toBe('hello from the inner daemon\n');
    const info = await sandbox.exec(['docker', 'info', '--format', '{{.Driver}}']);
    expect(info.stdout.trim()).toBe('overlay2');
  });

  it('leaves nothing behind', async () => {
    expect(await leftovers({ session: session.id })).toEqual(NOTHING_LEFT);
  });
});
