import { readFileSync } from 'node:fs';
import { createSession, type Sandbox } from '@sandkit/core';
import { checkKubernetesNode, sysbox } from '@sandkit/runtime-sysbox';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KUBELET_KERNEL_SETTINGS } from '../../../packages/runtime-sysbox/src/profiles/kubernetes-node/kernel-settings.js';
import { leftovers, NOTHING_LEFT } from '../../support/engine.js';
import { SYSTEM_CONTAINER_MODES } from '../../support/system-container-modes.js';
import { tempDir } from '../../support/temp-dir.js';

const images = inject('images');

/** The host's values of the kernel settings a kubelet checks. */
const hostKernelSettings = () =>
  Object.fromEntries(
    Object.keys(KUBELET_KERNEL_SETTINGS).map((path) => [
      path,
      readFileSync(`/proc/sys/${path}`, 'utf8').trim(),
    ]),
  );

for (const mode of SYSTEM_CONTAINER_MODES)
  describe.skipIf(mode.skipReason !== undefined)(
    `the kubernetes-node profile (${mode.name})${mode.skipReason ? `: skipped, ${mode.skipReason}` : ''}`,
    () => {
      const session = createSession();
      const hostBefore = hostKernelSettings();
      let node: Sandbox;
      let plain: Sandbox;
      let ownInit: Sandbox;

      beforeAll(async () => {
        const runtime = sysbox({ session, ...mode.options, stateDir: await tempDir('sandkit-state-') });
        const spec = { image: images.dind, pull: 'never', docker: 'isolated', trust: 'trusted' } as const;
        [node, plain, ownInit] = await Promise.all([
          runtime.create({ ...spec, profile: 'kubernetes-node' }),
          runtime.create(spec),
          // A node image with an init of its own (as kind's boots systemd), and no inner Docker daemon.
          runtime.create({
            image: images.busybox,
            pull: 'never',
            docker: 'none',
            trust: 'trusted',
            profile: 'kubernetes-node',
            entrypoint: ['/bin/init'],
            files: [
              {
                path: '/etc/inittab',
                content: '::sysinit:/bin/touch /run/booted\n::respawn:/bin/sleep 3600\n',
              },
            ],
          }),
        ]);
      });
      afterAll(async () => {
        await Promise.all([node?.destroy(), plain?.destroy(), ownInit?.destroy()]);
        expect(await leftovers({ session: session.id })).toEqual(NOTHING_LEFT);
      });

      it('gives a node everything a kubelet needs of its container', async () => {
        const requirements = await checkKubernetesNode(node);
        expect(requirements.map((r) => r.requirement)).toEqual([
          'shared mount propagation',
          'kernel messages',
          'writable cgroups',
          'own cgroup root',
          'kernel settings',
          'network settings',
          'kernel modules',
        ]);
        expect(requirements.filter((r) => !r.ok)).toEqual([]);
      });

      it("shows the node the kernel settings the kubelet wants and leaves the host's as they were", async () => {
        const { stdout } = await node.exec([
          'cat',
          ...Object.keys(KUBELET_KERNEL_SETTINGS).map((path) => `/proc/sys/${path}`),
        ]);
        expect(stdout.trim().split('\n')).toEqual(Object.values(KUBELET_KERNEL_SETTINGS));
        expect(hostKernelSettings()).toEqual(hostBefore);
      });

      it('keeps the inner Docker daemon working on a node', async () => {
        const { stdout } = await node.exec(['docker', 'info', '--format', '{{.Driver}}']);
        expect(stdout.trim()).toBe('overlay2');
      });

      it("hands PID 1 to the image's own init, prepared the same way, with no inner Docker daemon", async () => {
        const { stdout } = await ownInit.exec([
          'sh',
          '-c',
          'cat /proc/1/comm; test -e /run/booted && echo booted; grep -E " /run tmpfs | /var " /proc/self/mounts | cut -d" " -f2,3',
        ]);
        const [pid1, booted, ...mounts] = stdout.trim().split('\n');
        expect([pid1, booted]).toEqual(['init', 'booted']);
        // /run is a tmpfs (as an init expects), /var a volume of its own (not the overlay root).
        expect(mounts.sort()).toEqual(['/run tmpfs', expect.stringMatching(/^\/var (?!overlay)/)]);
        expect((await checkKubernetesNode(ownInit)).filter((r) => !r.ok)).toEqual([]);
        expect(ownInit.dockerHost).toBeUndefined();
        expect(() => ownInit.docker()).toThrow(/engine/i);
      });

      it('tells what a system container without the profile lacks', async () => {
        const missing = (await checkKubernetesNode(plain)).filter((r) => !r.ok).map((r) => r.requirement);
        // Neither mode makes / shared or shows the kubelet's kernel settings unasked.
        expect(missing).toEqual(expect.arrayContaining(['shared mount propagation', 'kernel settings']));
      });
    },
  );
