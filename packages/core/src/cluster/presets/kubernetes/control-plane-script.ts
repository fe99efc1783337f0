import { PKI_DIR } from './pki-script.js';

/** Where every node keeps the kubeconfig its components use. */
export const NODE_KUBECONFIG = '/etc/kubernetes/admin.conf';
/** Where the components log, on each node. */
export const LOG_DIR = '/var/log/kubernetes';

/** What the control plane is started with. */
export interface ControlPlaneInputs {
  /** The node's address on the cluster network, advertised by the API server. */
  address: string;
  /** The Services' address range. */
  serviceCidr: string;
  /** The Pods' address range (each node gets a slice). */
  podCidr: string;
}

/**
 * A shell script that starts etcd, kube-apiserver, kube-controller-manager
 * and kube-scheduler in the background on the control-plane node, each
 * logging to {@link LOG_DIR}, and waits until the API server answers.
 * Authorization is AlwaysAllow and every component uses the admin
 * certificate: a throwaway test cluster, not a hardened one.
 */
export function controlPlaneScript({ address, serviceCidr, podCidr }: ControlPlaneInputs): string {
  return `set -eu
mkdir -p ${LOG_DIR} /var/lib/etcd
start() { name=$1; shift; "$@" < /dev/null > ${LOG_DIR}/$name.log 2>&1 & }
start etcd etcd --data-dir=/var/lib/etcd --listen-client-urls=http://127.0.0.1:2379 \\
  --advertise-client-urls=http://127.0.0.1:2379 --listen-peer-urls=http://127.0.0.1:2380
start kube-apiserver kube-apiserver --etcd-servers=http://127.0.0.1:2379 \\
  --advertise-address=${address} --bind-address=0.0.0.0 --secure-port=6443 \\
  --service-cluster-ip-range=${serviceCidr} --allow-privileged=true --authorization-mode=AlwaysAllow \\
  --tls-cert-file=${PKI_DIR}/apiserver.crt --tls-private-key-file=${PKI_DIR}/apiserver.key \\
  --client-ca-file=${PKI_DIR}/ca.crt --kubelet-preferred-address-types=InternalIP,Hostname \\
  --kubelet-client-certificate=${PKI_DIR}/admin.crt --kubelet-client-key=${PKI_DIR}/admin.key \\
  --service-account-key-file=${PKI_DIR}/sa.pub --service-account-signing-key-file=${PKI_DIR}/sa.key \\
  --service-account-issuer=https://kubernetes.default.svc.cluster.local
start kube-controller-manager kube-controller-manager --kubeconfig=${NODE_KUBECONFIG} \\
  --service-account-private-key-file=${PKI_DIR}/sa.key --root-ca-file=${PKI_DIR}/ca.crt \\
  --cluster-cidr=${podCidr} --leader-elect=false
start kube-scheduler kube-scheduler --kubeconfig=${NODE_KUBECONFIG} --leader-elect=false
for i in $(seq 1 120); do
  kubectl --kubeconfig=${NODE_KUBECONFIG} get --raw /readyz >/dev/null 2>&1 && exit 0
  sleep 0.5
done
echo "the API server did not become ready in 60 s; its log ends with:" >&2
tail -n 30 ${LOG_DIR}/kube-apiserver.log >&2
exit 1
`;
}
