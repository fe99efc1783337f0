/** Where a node keeps its certificates and keys. */
export const PKI_DIR = '/etc/kubernetes/pki';

/** The certificate authority, the API server's serving certificate and the admin client certificate. */
export interface PkiInputs {
  /** The control-plane node's address on the cluster network (a SAN of the API server). */
  address: string;
  /** The control-plane node's hostname (a SAN of the API server). */
  hostname: string;
  /** First address of the service range: `kubernetes.default`'s ClusterIP (a SAN). */
  serviceIp: string;
}

/**
 * A shell script that makes, with openssl on the control-plane node, the
 * cluster's CA, the API server's certificate (for its address, hostname, the
 * in-cluster service names and `serviceIp`), an admin client certificate
 * (`system:masters`) and the service-account key pair.
 */
export function pkiScript({ address, hostname, serviceIp }: PkiInputs): string {
  return `set -eu
mkdir -p ${PKI_DIR}
cd ${PKI_DIR}
cat > openssl.cnf <<'CNF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,DNS:${hostname},IP:127.0.0.1,IP:${serviceIp},IP:${address}
[client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
CNF
openssl genrsa -out ca.key 2048 2>/dev/null
openssl req -x509 -new -key ca.key -subj /CN=sandkit-kubernetes-ca -days 3650 -config openssl.cnf -extensions ca -out ca.crt
sign() {
  openssl genrsa -out "$1.key" 2048 2>/dev/null
  openssl req -new -key "$1.key" -subj "$2" -config openssl.cnf -out "$1.csr"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -extfile openssl.cnf -extensions "$3" -out "$1.crt" 2>/dev/null
}
sign apiserver /CN=kube-apiserver server
sign admin "/O=system:masters/CN=sandkit-admin" client
openssl genrsa -out sa.key 2048 2>/dev/null
openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
`;
}
