import type { CanonicalBody } from './canonical-body/canonicalise.js';

/**
 * The job's name for its own default network: where its containers (and
 * builds) go when they ask for the engine's default. No job can create a
 * network of that name (it is the engine's), so its engine name is the
 * proxy's alone to make.
 */
export const JOB_DEFAULT_NETWORK = 'default';
/** Network modes that ask for the engine's default network (`docker run` without `--network`, or `bridge`). */
const ENGINE_DEFAULT_MODES = new Set(['', 'default', 'bridge']);

type Body = Record<string, unknown>;

/** Whether a network mode (a create's `NetworkMode`, a build's `networkmode`) asks for the engine's default network. */
export function isEngineDefaultMode(mode: unknown): boolean {
  return mode === undefined || mode === null || (typeof mode === 'string' && ENGINE_DEFAULT_MODES.has(mode));
}

/**
 * A checked container-create body that asked for the engine's default
 * network, put on the job's own (`networkId`) instead: its `NetworkMode`,
 * the endpoint settings it gave for the default network, and its legacy
 * links (which a user network keeps in the endpoint) moved there.
 */
export function onJobDefaultNetwork(body: CanonicalBody, networkId: string): CanonicalBody {
  const host = (body.HostConfig ?? {}) as Body;
  const networking = (body.NetworkingConfig ?? {}) as Body;
  const endpoints: Record<string, unknown> = {};
  let endpoint: Body = {};
  for (const [key, settings] of Object.entries(
    (networking.EndpointsConfig ?? {}) as Record<string, unknown>,
  )) {
    if (ENGINE_DEFAULT_MODES.has(key) || key === networkId) endpoint = { ...endpoint, ...(settings as Body) };
    else endpoints[key] = settings;
  }
  const links = Array.isArray(host.Links) ? (host.Links as string[]) : [];
  if (links.length > 0)
    endpoint = { ...endpoint, Links: [...(Array.isArray(endpoint.Links) ? endpoint.Links : []), ...links] };
  const { Links: _legacyLinks, ...rest } = host;
  return {
    ...body,
    HostConfig: { ...rest, NetworkMode: networkId },
    NetworkingConfig: { ...networking, EndpointsConfig: { ...endpoints, [networkId]: endpoint } },
  };
}
