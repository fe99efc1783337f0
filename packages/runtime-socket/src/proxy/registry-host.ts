/**
 * The daemon fetches from registries on the host's network, for the job: a
 * registry at the host's own loopback or link-local addresses would let the
 * job reach services only the host can (an SSRF through the engine).
 */
const HOST_ONLY = [
  /^localhost$/i,
  /^127\./,
  /^0\.0\.0\.0$/,
  /^169\.254\./,
  /^\[?::1\]?$/,
  /^\[?fe80:/i,
  /^\[?::\]?$/,
];

/** The registry host an image reference names (`host[:port]/repo…`), if it names one. */
export function registryOfReference(reference: string): string | undefined {
  const first = reference.split('/')[0] ?? '';
  if (!reference.includes('/')) return undefined;
  return /[.:]/.test(first) || first === 'localhost' ? first : undefined;
}

/** The host of a registry address (`host[:port]`, or a URL as `docker login` sends it). */
function hostOf(address: string): string {
  const withoutScheme = address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const hostPort = withoutScheme.split('/')[0] ?? '';
  if (hostPort.startsWith('[')) return hostPort.slice(0, hostPort.indexOf(']') + 1);
  const colons = hostPort.split(':').length - 1;
  return colons === 1 ? (hostPort.split(':')[0] as string) : hostPort;
}

/** Why the engine may not be sent to this registry for the job, or `undefined` when it may. */
export function hostOnlyRegistryRefusal(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const host = hostOf(address);
  return HOST_ONLY.some((pattern) => pattern.test(host))
    ? `the registry "${address}" is on the host's own addresses, which the engine would reach for the job`
    : undefined;
}
