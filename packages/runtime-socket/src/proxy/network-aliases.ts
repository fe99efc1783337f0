import type { CanonicalBody } from './canonical-body/canonicalise.js';

type Body = Record<string, unknown>;

/**
 * A checked container-create body in which the container answers to
 * `alias` (the name the job gave it) on each of the job's networks it
 * joins (`networkIds`, as the body names them, pinned): the engine's DNS
 * knows a container by its engine name, which is not the job's.
 */
export function withNetworkAlias(
  body: CanonicalBody,
  alias: string,
  networkIds: readonly string[],
): CanonicalBody {
  if (alias === '' || networkIds.length === 0) return body;
  const networking = (body.NetworkingConfig ?? {}) as Body;
  const endpoints = { ...((networking.EndpointsConfig ?? {}) as Record<string, Body | null>) };
  for (const id of networkIds) endpoints[id] = withAlias(endpoints[id] ?? {}, alias);
  return { ...body, NetworkingConfig: { ...networking, EndpointsConfig: endpoints } };
}

/** An endpoint's settings (network connect's `EndpointConfig`) with `alias` among its aliases. */
export function withAlias(endpoint: Body | null | undefined, alias: string): Body {
  const aliases = Array.isArray(endpoint?.Aliases) ? (endpoint.Aliases as unknown[]).map(String) : [];
  return { ...endpoint, Aliases: aliases.includes(alias) ? aliases : [...aliases, alias] };
}
