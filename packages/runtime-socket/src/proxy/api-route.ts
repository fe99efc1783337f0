/** Kinds of engine objects a job can own. */
export type ObjectKind = 'container' | 'network' | 'volume' | 'exec';

/** An Engine API request, reduced to what the policy decides on. */
export interface ApiRoute {
  method: string;
  /** Path without the `/v1.xx` version prefix, e.g. `/containers/abc/start`. */
  path: string;
  /** The matched route, e.g. `container.start`, or `unknown`. */
  name: string;
  /** The object the request addresses, when it addresses one (id or name, URL-decoded). */
  target?: { kind: ObjectKind; id: string };
}

interface RouteRule {
  method: string;
  pattern: RegExp;
  name: string;
  kind?: ObjectKind;
}

// `{id}` segments: container/network/volume names and ids, exec ids. Image names may contain slashes.
const ID = '([^/]+)';
const RULES: RouteRule[] = [
  { method: 'GET', pattern: /^\/_ping$/, name: 'ping' },
  { method: 'HEAD', pattern: /^\/_ping$/, name: 'ping' },
  { method: 'GET', pattern: /^\/version$/, name: 'version' },
  { method: 'GET', pattern: /^\/info$/, name: 'info' },
  { method: 'GET', pattern: /^\/events$/, name: 'events' },

  { method: 'GET', pattern: /^\/containers\/json$/, name: 'container.list' },
  { method: 'POST', pattern: /^\/containers\/create$/, name: 'container.create' },
  {
    method: 'GET',
    pattern: new RegExp(`^/containers/${ID}/(json|logs|top|stats|changes|export|archive)$`),
    name: 'container.read',
    kind: 'container',
  },
  {
    method: 'HEAD',
    pattern: new RegExp(`^/containers/${ID}/archive$`),
    name: 'container.read',
    kind: 'container',
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^/containers/${ID}/archive$`),
    name: 'container.write',
    kind: 'container',
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/containers/${ID}/update$`),
    name: 'container.update',
    kind: 'container',
  },
  {
    method: 'POST',
    pattern: new RegExp(
      `^/containers/${ID}/(start|stop|kill|restart|pause|unpause|wait|attach|resize|rename)$`,
    ),
    name: 'container.act',
    kind: 'container',
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/containers/${ID}/attach/ws$`),
    name: 'container.act',
    kind: 'container',
  },
  { method: 'POST', pattern: new RegExp(`^/containers/${ID}/exec$`), name: 'exec.create', kind: 'container' },
  {
    method: 'DELETE',
    pattern: new RegExp(`^/containers/${ID}$`),
    name: 'container.remove',
    kind: 'container',
  },

  { method: 'POST', pattern: new RegExp(`^/exec/${ID}/(start|resize)$`), name: 'exec.act', kind: 'exec' },
  { method: 'GET', pattern: new RegExp(`^/exec/${ID}/json$`), name: 'exec.read', kind: 'exec' },

  { method: 'GET', pattern: /^\/networks$/, name: 'network.list' },
  { method: 'POST', pattern: /^\/networks\/create$/, name: 'network.create' },
  { method: 'GET', pattern: new RegExp(`^/networks/${ID}$`), name: 'network.read', kind: 'network' },
  { method: 'DELETE', pattern: new RegExp(`^/networks/${ID}$`), name: 'network.remove', kind: 'network' },
  {
    method: 'POST',
    pattern: new RegExp(`^/networks/${ID}/connect$`),
    name: 'network.connect',
    kind: 'network',
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/networks/${ID}/disconnect$`),
    name: 'network.disconnect',
    kind: 'network',
  },

  { method: 'GET', pattern: /^\/volumes$/, name: 'volume.list' },
  { method: 'POST', pattern: /^\/volumes\/create$/, name: 'volume.create' },
  { method: 'GET', pattern: new RegExp(`^/volumes/${ID}$`), name: 'volume.read', kind: 'volume' },
  { method: 'DELETE', pattern: new RegExp(`^/volumes/${ID}$`), name: 'volume.remove', kind: 'volume' },

  { method: 'GET', pattern: /^\/images\/json$/, name: 'image.list' },
  { method: 'GET', pattern: /^\/images\/get$/, name: 'image.save' },
  { method: 'GET', pattern: /^\/images\/.+\/get$/, name: 'image.save' },
  { method: 'POST', pattern: /^\/images\/load$/, name: 'image.load' },
  { method: 'POST', pattern: /^\/images\/prune$/, name: 'image.prune' },
  { method: 'DELETE', pattern: /^\/images\/.+$/, name: 'image.remove' },
  { method: 'POST', pattern: /^\/commit$/, name: 'image.commit' },
  { method: 'POST', pattern: /^\/build\/prune$/, name: 'build.prune' },
  { method: 'POST', pattern: /^\/containers\/prune$/, name: 'container.prune' },
  { method: 'POST', pattern: /^\/networks\/prune$/, name: 'network.prune' },
  { method: 'POST', pattern: /^\/volumes\/prune$/, name: 'volume.prune' },
  { method: 'GET', pattern: /^\/system\/df$/, name: 'system.df' },
  { method: 'POST', pattern: /^\/auth$/, name: 'auth' },
  { method: 'POST', pattern: /^\/images\/create$/, name: 'image.pull' },
  { method: 'GET', pattern: /^\/images\/.+\/(json|history)$/, name: 'image.read' },
  { method: 'POST', pattern: /^\/images\/.+\/tag$/, name: 'image.tag' },
  { method: 'POST', pattern: /^\/build$/, name: 'image.build' },
  { method: 'GET', pattern: /^\/distribution\/.+\/json$/, name: 'distribution.read' },
  // Swarm and plugin objects: none exist for a job. `docker inspect NAME` probes them in turn
  // and must get "not found" to report the object as absent.
  {
    method: 'GET',
    pattern: /^\/(plugins\/[^/]+\/json|(nodes|services|tasks|secrets|configs)\/[^/]+)$/,
    name: 'absent',
  },
];

/** Matches a request against the routes the proxy knows; anything else is `unknown` (and denied). */
export function matchRoute(method: string, rawPath: string): ApiRoute {
  const path = stripVersion(rawPath);
  for (const rule of RULES) {
    if (rule.method !== method) continue;
    const match = rule.pattern.exec(path);
    if (!match) continue;
    const id = match[1];
    return {
      method,
      path,
      name: rule.name,
      ...(rule.kind && id !== undefined ? { target: { kind: rule.kind, id: decodeURIComponent(id) } } : {}),
    };
  }
  return { method, path, name: 'unknown' };
}

/**
 * The request path with the addressed object replaced by its engine id (the
 * version prefix kept): the engine acts on exactly the object that was checked.
 */
export function pathWithTarget(rawPath: string, id: string): string {
  return rawPath.replace(/^((?:\/v\d+(?:\.\d+)?)?\/[a-z]+\/)[^/]+/, `$1${encodeURIComponent(id)}`);
}

/** `/v1.41/containers/json` → `/containers/json` (query string removed). */
export function stripVersion(rawPath: string): string {
  const path = rawPath.split('?')[0] ?? '';
  return path.replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
}
