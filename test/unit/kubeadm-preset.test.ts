import { kubeadm } from '@sandkit/core';
import { describe, expect, it } from 'vitest';
import { findClusterSpecIssues } from '../../packages/core/src/cluster/plan-cluster.js';
import { parseJoinCommand } from '../../packages/core/src/cluster/presets/kubeadm/join-command.js';
import {
  IGNORED_PREFLIGHT_CHECKS,
  initConfiguration,
  joinConfiguration,
} from '../../packages/core/src/cluster/presets/kubeadm/kubeadm-config.js';

const base = { image: 'sandkit/kubernetes-node:latest', profile: 'kubernetes-node' as const };
const init = {
  name: 'control-plane-1',
  address: '10.210.0.2',
  runtime: 'docker' as const,
  kubernetesVersion: 'v1.20.2',
  imageRepository: 'sandkit',
  etcdImageTag: '3.4.23',
  podCidr: '10.244.0.0/16',
  serviceCidr: '10.96.0.0/12',
  taintControlPlane: true,
};
/** One of kubeadm's configuration documents, as far as these tests look into it. */
type KubeadmDocument = Record<string, unknown> & { nodeRegistration?: Record<string, unknown> };
/** kubeadm reads YAML; the preset writes each document as JSON (which is YAML), one per `---`. */
const documentsOf = (yaml: string) => yaml.split('\n---\n').map((doc) => JSON.parse(doc) as KubeadmDocument);

describe('the kubeadm preset', () => {
  it('takes nodes with their own container runtime (docker: "none", kind-style) as well as inner Docker daemons', () => {
    const preset = kubeadm({ etcdImageTag: '3.4.23' });
    expect(
      findClusterSpecIssues({
        nodes: { 'control-plane': { count: 1 }, worker: { count: 1 } },
        spec: { ...base, docker: 'none' },
        preset,
      }),
    ).toEqual([]);
  });

  it('refuses nodes not prepared for a kubelet, and a control-plane role without exactly one node', () => {
    const preset = kubeadm({ etcdImageTag: '3.4.23', controlPlaneRole: 'control-plane' });
    expect(
      findClusterSpecIssues({
        nodes: { 'control-plane': { count: 1 }, worker: { count: 2 } },
        spec: base,
        preset,
      }),
    ).toEqual([]);
    expect(
      findClusterSpecIssues({
        nodes: { 'control-plane': { count: 2 } },
        spec: { image: base.image },
        preset,
      }).map((issue) => issue.path),
    ).toEqual(['spec.profile', 'nodes.control-plane']);
  });

  it('reads the join credentials `kubeadm token create --print-join-command` prints', () => {
    expect(
      parseJoinCommand(
        'kubeadm join 10.210.0.2:6443 --token abcdef.0123456789abcdef     --discovery-token-ca-cert-hash sha256:0a1b2c \n',
      ),
    ).toEqual({
      apiServerEndpoint: '10.210.0.2:6443',
      token: 'abcdef.0123456789abcdef',
      caCertHash: 'sha256:0a1b2c',
    });
    expect(parseJoinCommand('error: no token')).toBeUndefined();
  });

  it("configures kubeadm init for the node's cluster address and the images built offline", () => {
    const [initConfig, cluster, kubelet, proxy] = documentsOf(initConfiguration(init));
    expect(initConfig?.localAPIEndpoint).toEqual({ advertiseAddress: '10.210.0.2', bindPort: 6443 });
    expect(initConfig?.nodeRegistration).toEqual({
      name: 'control-plane-1',
      kubeletExtraArgs: { 'node-ip': '10.210.0.2' },
      ignorePreflightErrors: ['ImagePull'],
    });
    expect(cluster).toMatchObject({
      controlPlaneEndpoint: '10.210.0.2:6443',
      imageRepository: 'sandkit',
      apiServer: { certSANs: ['10.210.0.2', 'control-plane-1'] },
      etcd: { local: { imageRepository: 'sandkit', imageTag: '3.4.23' } },
      networking: { podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12' },
    });
    expect(kubelet).toMatchObject({ cgroupDriver: 'cgroupfs', failSwapOn: false });
    expect(proxy?.conntrack).toEqual({
      maxPerCore: 0,
      tcpEstablishedTimeout: '0s',
      tcpCloseWaitTimeout: '0s',
    });
  });

  it('leaves the control plane untainted only when asked, and never ignores every preflight check', () => {
    const [initConfig] = documentsOf(initConfiguration({ ...init, taintControlPlane: false }));
    expect(initConfig?.nodeRegistration?.taints).toEqual([]);
    expect(IGNORED_PREFLIGHT_CHECKS).not.toContain('all');
  });

  it("points kubeadm at containerd's CRI socket on containerd nodes, for init and join alike", () => {
    const [initConfig] = documentsOf(initConfiguration({ ...init, runtime: 'containerd' }));
    const [join] = documentsOf(
      joinConfiguration(
        { name: 'worker-1', address: '10.210.0.3', runtime: 'containerd' },
        { apiServerEndpoint: '10.210.0.2:6443', token: 'abcdef.0123456789abcdef', caCertHash: 'sha256:0a1b' },
      ),
    );
    for (const registration of [initConfig?.nodeRegistration, join?.nodeRegistration])
      expect(registration).toMatchObject({
        criSocket: 'unix:///run/containerd/containerd.sock',
        ignorePreflightErrors: ['ImagePull'],
      });
    // On Docker nodes kubeadm keeps its default, dockershim's socket.
    expect(documentsOf(initConfiguration(init))[0]?.nodeRegistration).not.toHaveProperty('criSocket');
  });

  it('joins a worker through the bootstrap token, checking the CA it is given', () => {
    const [join] = documentsOf(
      joinConfiguration(
        { name: 'worker-1', address: '10.210.0.3', runtime: 'docker' },
        { apiServerEndpoint: '10.210.0.2:6443', token: 'abcdef.0123456789abcdef', caCertHash: 'sha256:0a1b' },
      ),
    );
    expect(join).toMatchObject({
      kind: 'JoinConfiguration',
      discovery: {
        bootstrapToken: {
          apiServerEndpoint: '10.210.0.2:6443',
          token: 'abcdef.0123456789abcdef',
          caCertHashes: ['sha256:0a1b'],
        },
      },
      nodeRegistration: { name: 'worker-1', kubeletExtraArgs: { 'node-ip': '10.210.0.3' } },
    });
  });
});
