import { readdir } from 'node:fs/promises';
import {
  ClusterFailedError,
  type KubeadmState,
  KubeadmStepFailedError,
  kubeadm,
  type SandboxCluster,
  Sandkit,
} from '@sandkit/core';
import {
  buildKubeadmContainerdImages,
  buildOfflineImage,
  CONTAINERD_SOCKET,
  type KubeadmImages,
  kubernetesContainerdNodeImage,
} from '@sandkit/host-setup';
import { sysbox } from '@sandkit/runtime-sysbox';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { leftovers, NOTHING_LEFT, testEngine } from '../../support/engine.js';
import { eventually, type HostKubectl } from '../../support/host-kubectl.js';
import { KUBERNETES_BINARIES, noKubeadmBinaries } from '../../support/kubernetes-binaries.js';
import { KubernetesTestCluster } from '../../support/kubernetes-test-cluster.js';
import { SYSTEM_CONTAINER_MODES, type SystemContainerMode } from '../../support/system-container-modes.js';
import { tempDir } from '../../support/temp-dir.js';

const images = inject('images');
if (noKubeadmBinaries)
  console.warn(`[kubeadm-containerd] skipping the kind-style kubeadm cluster tests: ${noKubeadmBinaries}`);

const NODES = ['control-plane-1', 'worker-1'];

let built: Promise<KubeadmImages> | undefined;
/**
 * The kind-style node image (its own init and containerd, the images kubeadm
 * runs and busybox baked in) and the names of kubeadm's images, built (or
 * found) once for both modes.
 */
function containerdNodeImages(): Promise<KubeadmImages> {
  built ??= testEngine().then((engine) =>
    buildKubeadmContainerdImages(
      engine,
      KUBERNETES_BINARIES,
      (line) => console.log(`[kubeadm-containerd] ${line}`),
      { podImages: [images.busybox] },
    ),
  );
  return built;
}

for (const mode of SYSTEM_CONTAINER_MODES) {
  const skipReason = mode.skipReason ?? noKubeadmBinaries;
  describe.skipIf(skipReason !== undefined)(
    `a kubeadm cluster of kind-style nodes: own init and containerd, no Docker daemon (${mode.name})${skipReason ? `: skipped, ${skipReason}` : ''}`,
    () => {
      const testCluster = new KubernetesTestCluster<KubeadmState>(mode, 'kubeadm-containerd');
      let cluster: SandboxCluster<KubeadmState>;
      let kubectl: HostKubectl;
      const node = (name: string) => cluster.node(name);

      beforeAll(async () => {
        const k8s = await containerdNodeImages();
        ({ cluster, kubectl } = await testCluster.start(
          {
            name: 'kubeadm-containerd-test',
            nodes: { 'control-plane': { count: 1 }, worker: { count: 1 } },
            // No seed: the node image brings every image, imported into containerd at boot.
            spec: {
              image: k8s.node,
              docker: 'none',
              profile: 'kubernetes-node',
              pull: 'never',
              trust: 'trusted',
            },
            preset: kubeadm({
              imageRepository: k8s.imageRepository,
              kubernetesVersion: k8s.kubernetesVersion,
              etcdImageTag: k8s.etcdImageTag,
            }),
          },
          { timeoutMs: 300_000 },
        ));
      });
      afterAll(() => testCluster.close());

      it('has every node Ready, seen from the host through the kubeconfig kubeadm wrote', async () => {
        const { items } = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as {
          items: Array<{
            metadata: { name: string };
            status: {
              conditions: Array<{ type: string; status: string }>;
              nodeInfo: { containerRuntimeVersion: string };
            };
          }>;
        };
        expect(items.map((n) => n.metadata.name).sort()).toEqual(NODES);
        for (const item of items) {
          expect(item.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
          // The kubelet reports the runtime it talks CRI to.
          expect(item.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/1\./);
        }
        expect(cluster.state?.containerRuntimes).toEqual({
          'control-plane-1': 'containerd',
          'worker-1': 'containerd',
        });
      });

      it("runs the image's own init as PID 1 (no docker-init), containerd under it, and no Docker daemon", async () => {
        for (const name of NODES) {
          const { stdout } = await node(name).exec([
            'sh',
            '-c',
            `cat /proc/1/comm; readlink /proc/1/exe; cat /proc/$(pidof containerd)/stat | cut -d' ' -f4; test -e /var/run/docker.sock && echo docker || echo no-docker; cat /var/lib/kubelet/kubeadm-flags.env`,
          ]);
          const [comm, exe, containerdParent, docker, flags] = stdout.trim().split('\n');
          expect([comm, exe, containerdParent, docker]).toEqual(['init', '/bin/busybox', '1', 'no-docker']);
          // kubeadm told the kubelet to use containerd's CRI socket (from nodeRegistration.criSocket).
          expect(flags).toContain(
            `--container-runtime=remote --container-runtime-endpoint=unix://${CONTAINERD_SOCKET}`,
          );
        }
      });

      it('runs the control plane as static Pods and kube-proxy (privileged) on every node, all Ready', async () => {
        const expected = [
          ...['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map(
            (component) => `${component}-control-plane-1`,
          ),
          ...NODES.map((name) => `kube-proxy on ${name}`),
        ].sort();
        const ready = async () => {
          const { items } = JSON.parse(await kubectl(['-n', 'kube-system', 'get', 'pods', '-o', 'json'])) as {
            items: Array<{
              metadata: { name: string };
              spec: { nodeName?: string };
              status: { conditions?: Array<{ type: string; status: string }> };
            }>;
          };
          return items
            .filter((p) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
            .map((p) =>
              p.metadata.name.startsWith('kube-proxy-')
                ? `kube-proxy on ${p.spec.nodeName}`
                : p.metadata.name,
            )
            .sort();
        };
        await eventually(async () => {
          const now = await ready();
          return expected.every((name) => now.includes(name));
        }, 120_000);
        expect(await ready()).toEqual(expected);
      });

      it('runs a Pod on the worker from an image the node imported into containerd at boot (nothing pulled)', async () => {
        await kubectl(
          ['apply', '-f', '-'],
          `apiVersion: v1
kind: Pod
metadata: {name: hello}
spec:
  nodeSelector: {kubernetes.io/hostname: worker-1}
  containers:
  - name: hello
    image: ${images.busybox}
    imagePullPolicy: Never
    command: [sh, -c, 'echo hello from $(hostname); sleep 3600']
`,
        );
        await kubectl(['wait', '--for=condition=Ready', 'pod/hello', '--timeout=120s']);
        expect(
          await kubectl(['get', 'pod', 'hello', '-o', 'jsonpath={.spec.nodeName} {.status.phase}']),
        ).toBe('worker-1 Running');
        expect(await kubectl(['logs', 'hello'])).toBe('hello from hello');
        // The Pod's container is one of the worker's containerd (the kubelet's k8s.io namespace).
        const { stdout } = await node('worker-1').exec([
          'ctr',
          '--address',
          CONTAINERD_SOCKET,
          '-n',
          'k8s.io',
          'containers',
          'ls',
        ]);
        expect(stdout).toContain(`docker.io/${images.busybox}`);
      });
    },
  );
}

const fallback = SYSTEM_CONTAINER_MODES.find((m) => !m.sysbox) as SystemContainerMode;
describe.skipIf(noKubeadmBinaries !== undefined)(
  `a kubeadm cluster of kind-style nodes whose image lacks an image kubeadm runs (${fallback.name})${noKubeadmBinaries ? `: skipped, ${noKubeadmBinaries}` : ''}`,
  () => {
    it('fails before kubeadm init with KubeadmStepFailedError naming the image, and leaves nothing', async () => {
      const engine = await testEngine();
      const k8s = await containerdNodeImages();
      const etcd = k8s.kubeadm.find((image) => image.includes('/etcd:')) as string;
      const withoutEtcd = await buildOfflineImage(
        engine,
        {
          ...kubernetesContainerdNodeImage(KUBERNETES_BINARIES, {
            engine,
            images: k8s.kubeadm.filter((image) => image !== etcd),
            pauseImage: k8s.kubeadm.find((image) => image.includes('/pause:')) as string,
          }),
          // Not to be taken for the real node image (whose repository's `latest` it would move).
          repository: 'sandkit-test/kubernetes-containerd-node-without-etcd',
        },
        { log: (line) => console.log(`[kubeadm-containerd] ${line}`) },
      );
      const stateDir = await tempDir('sandkit-kubeadm-containerd-state-');
      const sk = new Sandkit({ runtimes: [sysbox({ ...fallback.options, stateDir })] });
      try {
        const error = await sk
          .cluster({
            nodes: { 'control-plane': { count: 1 } },
            spec: {
              image: withoutEtcd,
              docker: 'none',
              profile: 'kubernetes-node',
              pull: 'never',
              trust: 'trusted',
            },
            preset: kubeadm({
              imageRepository: k8s.imageRepository,
              kubernetesVersion: k8s.kubernetesVersion,
              etcdImageTag: k8s.etcdImageTag,
            }),
          })
          .catch((e: unknown) => e);
        expect(ClusterFailedError.is(error) && [error.node, error.step]).toEqual([
          'control-plane-1',
          'bootstrap',
        ]);
        const cause = (error as ClusterFailedError).cause;
        expect(KubeadmStepFailedError.is(cause)).toBe(true);
        expect(cause).toMatchObject({ step: 'checking the images kubeadm runs', exitCode: 1 });
        // Found through the node's crictl (a stand-in over ctr), by the name kubeadm gives it.
        expect((cause as Error).message).toContain(
          `not in the node's containerd (bring them in the node image): ${etcd}`,
        );
        expect(await leftovers({ session: sk.session.id }, { sessionNetworkKept: true })).toEqual(
          NOTHING_LEFT,
        );
        expect(await readdir(stateDir)).toEqual([]);
      } finally {
        await sk.close();
      }
    });
  },
);
