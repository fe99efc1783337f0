/** The credentials a kubeconfig carries, PEM-encoded. */
export interface KubeconfigCredentials {
  /** The cluster's CA certificate. */
  ca: string;
  /** The client certificate and its key. */
  certificate: string;
  key: string;
}

/** A kubeconfig for the API server at `server` (e.g. `https://10.210.0.2:6443`), as YAML. Pure. */
export function kubeconfig(server: string, { ca, certificate, key }: KubeconfigCredentials): string {
  const data = (pem: string) => Buffer.from(pem).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: sandkit',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${data(ca)}`,
    'users:',
    '- name: sandkit-admin',
    '  user:',
    `    client-certificate-data: ${data(certificate)}`,
    `    client-key-data: ${data(key)}`,
    'contexts:',
    '- name: sandkit',
    '  context: {cluster: sandkit, user: sandkit-admin}',
    'current-context: sandkit',
    '',
  ].join('\n');
}
