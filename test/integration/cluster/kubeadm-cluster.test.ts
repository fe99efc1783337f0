import { readdir } from 'node:fs/promises';
import {
  ClusterFailedError,
  type KubeadmState,
  KubeadmStepFailedError,
  kubeadm,
  type SandboxCluster,
  Sandkit,
} from '@sandkit/core';
import { buildKubeadmImages, HTTPD_PAGE, HTTPD_PORT, type KubeadmImages } from '@sandkit/host-setup';
import { sysbox } from '@sandkit/runtime-sysbox';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { leftovers, NOTHING_LEFT, testEngine } from '../../support/engine.js';
import { eventually, type HostKubectl } from '../../support/host-kubectl.js';
import { KUBERNETES_BINARIES, noKubeadmBinaries } from '../../support/kubernetes-binaries.js';
import { KubernetesTestCluster } from '../../support/kubernetes-test-cluster.js';
import { SYSTEM_CONTAINER_MODES, type SystemContainerMode } from '../../support/system-container-modes.js';
import { tempDir } from '../../support/temp-dir.js';

const images = inject('images');
const noBinaries = noKubeadmBinaries;
if (noBinaries) console.warn(`[kubeadm] skipping the kubeadm cluster tests: ${noBinaries}`);

const NODES = ['control-plane-1', 'worker-1', 'worker-2'];
const CONTROL_PLANE_COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

interface PodList {
  items: Array<{
    metadata: { name: string; ownerReferences?: Array<{ kind: string }> };
    spec: { nodeName?: string };
    status: { phase: string; conditions?: Array<{ type: string; status: string }> };
  }>;
}

let built: Promise<KubeadmImages> | undefined;
/** The node image and the images kubeadm runs, built (or found) once for both modes. */
function kubeadmImages(): Promise<KubeadmImages> {
  built ??= testEngine().then((engine) =>
    buildKubeadmImages(engine, KUBERNETES_BINARIES, (line) => console.log(`[kubeadm] ${line}`)),
  );
  return built;
}

for (const mode of SYSTEM_CONTAINER_MODES) {
  const skipReason = mode.skipReason ?? noBinaries;
  describe.skipIf(skipReason !== undefined)(
    `a 1 control-plane + 2 worker cluster set up by kubeadm (${mode.name})${skipReason ? `: skipped, ${skipReason}` : ''}`,
    () => {
      const testCluster = new KubernetesTestCluster<KubeadmState>(mode, 'kubeadm');
      let cluster: SandboxCluster<KubeadmState>;
      let kubectl: HostKubectl;
      const pods = async (namespace: string) =>
        JSON.parse(await kubectl(['-n', namespace, 'get', 'pods', '-o', 'json'])) as PodList;

      beforeAll(async () => {
        const k8s = await kubeadmImages();
        ({ cluster, kubectl } = await testCluster.start(
          {
            name: 'kubeadm-test',
            nodes: { 'control-plane': { count: 1 }, worker: { count: 2 } },
            spec: {
              image: k8s.node,
              profile: 'kubernetes-node',
              pull: 'never',
              trust: 'trusted',
              seed: { images: [...k8s.kubeadm, images.busybox, images.httpd], strategy: 'clone' },
            },
            preset: kubeadm({
              imageRepository: k8s.imageRepository,
              kubernetesVersion: k8s.kubernetesVersion,
              etcdImageTag: k8s.etcdImageTag,
            }),
          },
          { timeoutMs: 280_000 },
        ));
      });
      afterAll(() => testCluster.close());

      it('has every node Ready, seen from the host through the kubeconfig kubeadm wrote', async () => {
        const controlPlane = cluster.nodes.find((n) => n.name === 'control-plane-1');
        expect(cluster.state?.server).toBe(`https://${controlPlane?.address}:6443`);
        expect(cluster.state?.kubeconfig).toContain(`server: ${cluster.state?.server}`);
        const { items } = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as {
          items: Array<{
            metadata: { name: string };
            status: { conditions: Array<{ type: string; status: string }> };
          }>;
        };
        expect(items.map((n) => n.metadata.name).sort()).toEqual(NODES);
        for (const node of items)
          expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
      });

      it("runs the control plane as the control-plane node's static Pods and kube-proxy on every node, all Ready", async () => {
        const expected = [
          ...CONTROL_PLANE_COMPONENTS.map((component) => `${component}-control-plane-1`),
          ...NODES.map((node) => `kube-proxy on ${node}`),
        ];
        const ready = async () => {
          const { items } = await pods('kube-system');
          return items
            .filter((p) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
            .map((p) =>
              p.metadata.name.startsWith('kube-proxy-')
                ? `kube-proxy on ${p.spec.nodeName}`
                : p.metadata.name,
            );
        };
        // Mirror Pods show a moment after the Node registered, kube-proxy's after its DaemonSet rolled out.
        await eventually(async () => {
          const now = await ready();
          return expected.every((name) => now.includes(name));
        }, 120_000);
        expect((await ready()).sort()).toEqual(expected.sort());
        const { items } = await pods('kube-system');
        const apiServer = items.find((p) => p.metadata.name === 'kube-apiserver-control-plane-1');
        expect(apiServer?.metadata.ownerReferences?.map((o) => o.kind)).toEqual(['Node']);
      });

      it('runs a Pod on a worker from an image seeded into the node (nothing pulled)', async () => {
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
        const { items } = await pods('default');
        expect(items.map((p) => [p.metadata.name, p.spec.nodeName, p.status.phase])).toEqual([
          ['hello', 'worker-1', 'Running'],
        ]);
        expect(await kubectl(['logs', 'hello'])).toBe('hello from hello');
      });

      it("reaches a Pod on the other worker through its Service (kube-proxy, kubeadm's DaemonSet)", async () => {
        await kubectl(
          ['apply', '-f', '-'],
          `apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  nodeSelector: {kubernetes.io/hostname: worker-2}
  containers:
  - {name: httpd, image: ${images.httpd}, imagePullPolicy: Never, ports: [{containerPort: ${HTTPD_PORT}}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: ${HTTPD_PORT}}]
`,
        );
        await kubectl(['wait', '--for=condition=Ready', 'pod/web', '--timeout=120s']);
        const serviceIp = await kubectl(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
        // kube-proxy programs the Service's rules on each node a moment after its endpoints exist.
        let page = '';
        const answered = await eventually(async () => {
          page = await kubectl([
            'exec',
            'hello',
            '--',
            'sh',
            '-c',
            `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${serviceIp} 80 | tail -n 1`,
          ]);
          return `${page}\n` === HTTPD_PAGE;
        }, 30_000);
        expect(answered && `${page}\n`).toBe(HTTPD_PAGE);
      });
    },
  );
}

const fallback = SYSTEM_CONTAINER_MODES.find((m) => !m.sysbox) as SystemContainerMode;
describe.skipIf(noBinaries !== undefined)(
  `a kubeadm cluster whose nodes lack an image kubeadm runs (${fallback.name})${noBinaries ? `: skipped, ${noBinaries}` : ''}`,
  () => {
    it('fails before kubeadm init with KubeadmStepFailedError naming the image, and leaves nothing', async () => {
      const k8s = await kubeadmImages();
      const etcd = k8s.kubeadm.find((image) => image.includes('/etcd:')) as string;
      const stateDir = await tempDir('sandkit-kubeadm-state-');
      const sk = new Sandkit({ runtimes: [sysbox({ ...fallback.options, stateDir })] });
      try {
        const error = await sk
          .cluster({
            nodes: { 'control-plane': { count: 1 } },
            spec: {
              image: k8s.node,
              profile: 'kubernetes-node',
              pull: 'never',
              trust: 'trusted',
              seed: { images: k8s.kubeadm.filter((image) => image !== etcd) },
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
        expect(cause).toMatchObject({
          node: 'control-plane-1',
          step: 'checking the images kubeadm runs',
          exitCode: 1,
        });
        expect((cause as Error).message).toContain(
          `not in the node's Docker daemon (seed them into every node): ${etcd}`,
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
