import { type KubernetesState, kubernetes, type SandboxCluster } from '@sandkit/core';
import { buildKubernetesImages, HTTPD_PAGE, HTTPD_PORT, type KubernetesImages } from '@sandkit/host-setup';
import { checkKubernetesNode } from '@sandkit/runtime-sysbox';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testEngine } from '../../support/engine.js';
import type { HostKubectl } from '../../support/host-kubectl.js';
import { KUBERNETES_BINARIES, noKubernetesBinaries } from '../../support/kubernetes-binaries.js';
import { KubernetesTestCluster } from '../../support/kubernetes-test-cluster.js';
import { SYSTEM_CONTAINER_MODES } from '../../support/system-container-modes.js';

const images = inject('images');
if (noKubernetesBinaries)
  console.warn(`[kubernetes] skipping the Kubernetes cluster tests: ${noKubernetesBinaries}`);

const manifest = (app: KubernetesImages & { httpd: string; busybox: string }) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}
      containers:
      - {name: httpd, image: ${app.httpd}, imagePullPolicy: Never, ports: [{containerPort: ${HTTPD_PORT}}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: ${HTTPD_PORT}}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  nodeName: control-plane-1
  tolerations: [{operator: Exists}]
  containers:
  - {name: client, image: ${app.busybox}, imagePullPolicy: Never, command: [sleep, '3600']}
`;

let built: Promise<KubernetesImages> | undefined;
/** The node and pause images, built (or found) once for both modes: preparing their context reads every binary. */
function kubernetesImages(): Promise<KubernetesImages> {
  built ??= testEngine().then((engine) =>
    buildKubernetesImages(engine, KUBERNETES_BINARIES, (line) => console.log(`[kubernetes] ${line}`)),
  );
  return built;
}

for (const mode of SYSTEM_CONTAINER_MODES) {
  const skipReason = mode.skipReason ?? noKubernetesBinaries;
  describe.skipIf(skipReason !== undefined)(
    `a 1 control-plane + 2 worker Kubernetes cluster (${mode.name})${skipReason ? `: skipped, ${skipReason}` : ''}`,
    () => {
      const testCluster = new KubernetesTestCluster<KubernetesState>(mode, 'kubernetes');
      let cluster: SandboxCluster<KubernetesState>;
      let kubectl: HostKubectl;
      let k8s: KubernetesImages;

      beforeAll(async () => {
        k8s = await kubernetesImages();
        ({ cluster, kubectl } = await testCluster.start(
          {
            name: 'kubernetes-test',
            nodes: { 'control-plane': { count: 1 }, worker: { count: 2 } },
            spec: {
              image: k8s.node,
              profile: 'kubernetes-node',
              pull: 'never',
              trust: 'trusted',
              seed: { images: [k8s.pause, images.httpd, images.busybox], strategy: 'clone' },
            },
            preset: kubernetes({ pauseImage: k8s.pause }),
          },
          { timeoutMs: 280_000 },
        ));
      });
      afterAll(() => testCluster.close());

      it('has every node Ready, seen from the host through the kubeconfig it hands back', async () => {
        const { items } = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as {
          items: Array<{
            metadata: { name: string };
            status: { conditions: Array<{ type: string; status: string }> };
          }>;
        };
        expect(items.map((n) => n.metadata.name).sort()).toEqual(['control-plane-1', 'worker-1', 'worker-2']);
        for (const node of items)
          expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
      });

      it('spreads a Deployment over the workers, and a Pod on another node reaches it through its Service', async () => {
        await kubectl(
          ['apply', '-f', '-'],
          manifest({ ...k8s, httpd: images.httpd, busybox: images.busybox }),
        );
        await kubectl(['wait', '--for=condition=Ready', 'pod', '--all', '--timeout=120s']);
        const pods = JSON.parse(await kubectl(['get', 'pods', '-o', 'json'])) as {
          items: Array<{ metadata: { name: string }; spec: { nodeName: string } }>;
        };
        const webNodes = pods.items
          .filter((p) => p.metadata.name.startsWith('web-'))
          .map((p) => p.spec.nodeName);
        expect(webNodes.sort()).toEqual(['worker-1', 'worker-2']);
        const serviceIp = await kubectl(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
        // kube-proxy programs the Service's rules on each node a moment after its endpoints exist.
        let page = '';
        for (let attempt = 0; attempt < 40 && `${page}\n` !== HTTPD_PAGE; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, 500));
          page = await kubectl([
            'exec',
            'client',
            '--',
            'sh',
            '-c',
            `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${serviceIp} 80 | tail -n 1`,
          ]).catch(() => '');
        }
        expect(`${page}\n`).toBe(HTTPD_PAGE);
      });

      it('runs on nodes that meet every requirement of the kubernetes-node profile', async () => {
        const node = cluster.node('worker-1');
        expect(
          (await checkKubernetesNode(node)).filter((r) => !r.ok),
          'requirements not met',
        ).toEqual([]);
        // The kubelet made its cgroups at the root of the node's own hierarchy.
        await node.exec(['test', '-d', '/sys/fs/cgroup/memory/kubepods']);
      });
    },
  );
}
