/** What a worker needs to join: the API server and the bootstrap token's credentials. */
export interface JoinCredentials {
  /** `address:port` of the API server, e.g. `10.210.0.2:6443`. */
  apiServerEndpoint: string;
  /** A bootstrap token, `abcdef.0123456789abcdef`. */
  token: string;
  /** The hash of the cluster CA's public key the worker checks, `sha256:…`. */
  caCertHash: string;
}

/**
 * The credentials in what `kubeadm token create --print-join-command`
 * prints (`kubeadm join <endpoint> --token <t> --discovery-token-ca-cert-hash <h>`),
 * or `undefined` when it is not such a command. Pure.
 */
export function parseJoinCommand(output: string): JoinCredentials | undefined {
  const match = /kubeadm join (\S+) --token (\S+)\s+--discovery-token-ca-cert-hash (sha256:[0-9a-f]+)/.exec(
    output,
  );
  if (!match) return undefined;
  const [, apiServerEndpoint, token, caCertHash] = match as unknown as [string, string, string, string];
  return { apiServerEndpoint, token, caCertHash };
}
