import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import type { ObjectKind } from './api-route.js';
import type { CanonicalBody } from './canonical-body/canonicalise.js';

/** What the policy needs to know about the job's objects and settings. */
export interface PolicyContext {
  /** Host paths (absolute) the job may bind-mount, with everything below them. */
  allowedBindPaths: readonly string[];
  /**
   * The engine id of the object a name, id or id prefix stands for, when it
   * exists and is the job's; `undefined` otherwise.
   */
  ownedId(kind: ObjectKind, idOrName: string): Promise<string | undefined>;
  /** Whether a volume of that engine name exists at all. */
  volumeExists(engineName: string): Promise<boolean>;
  /** The engine name of the job's private name for an object of `kind` (see `JobNames`). */
  engineName(kind: 'container' | 'network' | 'volume', name: string): string;
}

/** A checked body: what is wrong with it, or the body to send (references pinned to engine ids, names to engine names). */
export interface PolicyResult {
  violations: string[];
  body: CanonicalBody;
}

/** Networks every container may join. */
const DEFAULT_NETWORKS = new Set(['', 'default', 'bridge', 'none']);
/** Security options that switch a protection off. */
const UNCONFINED =
  /^(seccomp|apparmor|label|systempaths)[=:](unconfined|disable)$|^no-new-privileges[=:](false|f|0)$/i;
/** Network drivers that reach the host's interfaces. */
const ALLOWED_NETWORK_DRIVERS = new Set(['', 'bridge']);
/** Network options a job may set. */
const ALLOWED_NETWORK_OPTIONS = new Set([
  'com.docker.network.bridge.enable_icc',
  'com.docker.network.driver.mtu',
]);
/** Log drivers that write where only the job reads (others send to the host's journal or network). */
const ALLOWED_LOG_DRIVERS = new Set(['', 'json-file', 'local', 'none']);
/** Namespace fields, with the docker CLI flag that sets them. */
const NAMESPACES = [
  ['PidMode', 'pid'],
  ['IpcMode', 'ipc'],
  ['UTSMode', 'uts'],
  ['UsernsMode', 'userns'],
  ['CgroupnsMode', 'cgroupns'],
  ['NetworkMode', 'network'],
] as const;

type Body = Record<string, unknown>;

/**
 * Everything wrong with a canonical container-create body, as messages the
 * job's `docker` CLI will print, and the body to send: container references
 * (`container:` namespaces, `--volumes-from`, `--link`) pinned to the engine
 * ids that were checked. Named volumes that do not exist yet are returned so
 * the proxy can create them labelled (the engine would create them unlabelled),
 * by their engine names; named volumes in `Binds` and `Mounts` are sent by
 * their engine names. `jobNetworks` are the ids of the job's own networks
 * the container joins (where its name is to be a DNS alias).
 */
export async function checkContainerCreate(
  body: CanonicalBody,
  context: PolicyContext,
): Promise<PolicyResult & { volumesToCreate: string[]; jobNetworks: string[] }> {
  const violations: string[] = [];
  const volumesToCreate: string[] = [];
  const host: Body = { ...asObject(body.HostConfig) };
  if (host.Privileged === true) violations.push('privileged containers are not allowed');
  for (const [field, flag] of NAMESPACES) {
    const value = asString(host[field]);
    if (value === 'host')
      violations.push(`the host's ${flag.replace(/ns$/, '')} namespace is not allowed (--${flag}=host)`);
    const pinned = await pinContainerReference(
      value,
      `the ${flag.replace(/ns$/, '')} namespace`,
      context,
      violations,
    );
    if (pinned !== undefined) host[field] = pinned;
  }
  const cgroup = await pinContainerReference(asString(host.Cgroup), 'the cgroup', context, violations);
  if (cgroup !== undefined) host.Cgroup = cgroup;

  // The engine resolves network names only when the container starts (full id, then name, then id
  // prefix): the job's networks are sent as the full ids that were checked, so no name the job
  // creates or removes in between can lead to another's network.
  const network = asString(host.NetworkMode);
  const pinnedNetwork = new Map<string, string>();
  if (!DEFAULT_NETWORKS.has(network) && network !== 'host' && !network.startsWith('container:')) {
    const id = await context.ownedId('network', network);
    if (id) {
      pinnedNetwork.set(network, id);
      host.NetworkMode = id;
    } else violations.push(`network "${network}" is not one of this job's networks`);
  }
  const networking = asObject(body.NetworkingConfig);
  const endpoints: Body = {};
  for (const [name, endpoint] of Object.entries(asObject(networking.EndpointsConfig))) {
    let key = name;
    if (!DEFAULT_NETWORKS.has(name)) {
      const id = pinnedNetwork.get(name) ?? (await context.ownedId('network', name));
      if (id) key = id;
      else violations.push(`network "${name}" is not one of this job's networks`);
    }
    const checked = await checkEndpoint(asObject(endpoint), context);
    endpoints[key] = checked.endpoint === undefined ? endpoint : checked.endpoint;
    violations.push(...checked.violations);
  }
  const pinnedBody =
    networking.EndpointsConfig === undefined
      ? body
      : { ...body, NetworkingConfig: { ...networking, EndpointsConfig: endpoints } };

  const capAdd = asStrings(host.CapAdd);
  if (capAdd.length > 0)
    violations.push(`adding capabilities is not allowed (--cap-add ${capAdd.join(', ')})`);
  violations.push(...checkResources(host));
  for (const option of asStrings(host.SecurityOpt)) {
    if (UNCONFINED.test(option)) violations.push(`security option "${option}" is not allowed`);
    else if (/^seccomp[=:]/i.test(option)) violations.push('custom seccomp profiles are not allowed');
  }
  if (Object.keys(asObject(host.Sysctls)).length > 0) violations.push('sysctls are not allowed (--sysctl)');
  if (Object.keys(asObject(host.StorageOpt)).length > 0)
    violations.push('storage driver options are not allowed (--storage-opt)');
  if (Array.isArray(host.ReadonlyPaths) || Array.isArray(host.MaskedPaths))
    violations.push('changing masked or read-only /proc paths is not allowed');
  const runtime = asString(host.Runtime);
  if (runtime !== '' && runtime !== 'runc') violations.push(`OCI runtime "${runtime}" is not allowed`);
  const isolation = asString(host.Isolation);
  if (isolation !== '' && isolation !== 'default') violations.push(`isolation "${isolation}" is not allowed`);
  if (typeof host.OomScoreAdj === 'number' && host.OomScoreAdj < 0)
    violations.push('a negative OOM score adjustment is not allowed');
  const volumeDriver = asString(host.VolumeDriver);
  if (volumeDriver !== '' && volumeDriver !== 'local')
    violations.push(`volume driver "${volumeDriver}" is not allowed`);
  const logDriver = asString(asObject(host.LogConfig).Type);
  if (!ALLOWED_LOG_DRIVERS.has(logDriver))
    violations.push(`log driver "${logDriver}" is not allowed (json-file, local or none)`);

  if (host.VolumesFrom !== null && host.VolumesFrom !== undefined) {
    const pinned: string[] = [];
    for (const entry of asStrings(host.VolumesFrom)) {
      const [from = '', ...mode] = entry.split(':');
      const id = await context.ownedId('container', from);
      if (id) pinned.push([id, ...mode].join(':'));
      else violations.push(`--volumes-from "${from}" is not allowed: it is not one of this job's containers`);
    }
    host.VolumesFrom = pinned;
  }
  // Legacy links go with the container onto the job's default network (see onJobDefaultNetwork), whose DNS needs names.
  if (host.Links !== null && host.Links !== undefined)
    host.Links = await pinLinks(host.Links, context, violations, 'by-name');

  if (host.Binds !== null && host.Binds !== undefined) {
    const binds: string[] = [];
    for (const bind of asStrings(host.Binds)) {
      const [source = '', ...rest] = bind.split(':');
      const sent = await checkMountSource(
        source.startsWith('/') ? 'bind' : 'volume',
        source,
        context,
        violations,
        volumesToCreate,
      );
      binds.push([sent, ...rest].join(':'));
    }
    host.Binds = binds;
  }
  if (host.Mounts !== null && host.Mounts !== undefined) {
    const mounts: unknown[] = [];
    for (const mount of asArray(host.Mounts).map(asObject)) {
      const type = asString(mount.Type) || 'volume';
      if (type !== 'tmpfs' && type !== 'bind' && type !== 'volume')
        violations.push(`mounts of type "${type}" are not allowed`);
      if (type !== 'bind' && type !== 'volume') {
        mounts.push(mount);
        continue;
      }
      if (type === 'volume' && asObject(mount.VolumeOptions).DriverConfig)
        violations.push('volume driver options are not allowed');
      const source = asString(mount.Source);
      const sent = await checkMountSource(type, source, context, violations, volumesToCreate);
      mounts.push(sent === source ? mount : { ...mount, Source: sent });
    }
    host.Mounts = mounts;
  }
  return {
    violations,
    volumesToCreate: [...new Set(volumesToCreate)],
    jobNetworks: [...new Set(pinnedNetwork.values())],
    body: body.HostConfig === undefined ? pinnedBody : { ...pinnedBody, HostConfig: host },
  };
}

/** Everything wrong with a canonical container-update body (resources and restart policy). */
export function checkContainerUpdate(body: CanonicalBody): string[] {
  return checkResources(body);
}

/** Resource fields (HostConfig and UpdateConfig share them) that reach the host's devices or cgroups. */
function checkResources(resources: Body): string[] {
  const violations: string[] = [];
  if (asArray(resources.Devices).length > 0) violations.push('host devices are not allowed (--device)');
  if (asArray(resources.DeviceRequests).length > 0)
    violations.push('device requests are not allowed (--gpus)');
  if (asArray(resources.DeviceCgroupRules).length > 0)
    violations.push('device cgroup rules are not allowed (--device-cgroup-rule)');
  if (asString(resources.CgroupParent) !== '')
    violations.push('choosing the cgroup parent is not allowed (--cgroup-parent)');
  // The OOM killer kept off a container with no memory limit lets one job starve the host of memory.
  if (resources.OomKillDisable === true && !(Number(resources.Memory) > 0))
    violations.push('--oom-kill-disable needs a memory limit (--memory)');
  return violations;
}

/**
 * A network endpoint's settings (create's EndpointsConfig, network connect):
 * what is wrong with them, and the endpoint to send when its links were
 * pinned to engine ids (`undefined` when it has none).
 */
async function checkEndpoint(
  endpoint: Body,
  context: PolicyContext,
): Promise<{ violations: string[]; endpoint?: Body }> {
  const violations: string[] = [];
  const links =
    endpoint.Links === null || endpoint.Links === undefined
      ? undefined
      : await pinLinks(endpoint.Links, context, violations, 'by-name');
  if (asString(endpoint.NetworkID) !== '' || asString(endpoint.EndpointID) !== '')
    violations.push('choosing a network or endpoint by id in the endpoint settings is not allowed');
  if (Object.keys(asObject(endpoint.DriverOpts)).length > 0)
    violations.push('network endpoint driver options are not allowed');
  return links === undefined ? { violations } : { violations, endpoint: { ...endpoint, Links: links } };
}

/** `container:<name>` → `container:<engine id>` when the container is the job's; records a violation when not. */
async function pinContainerReference(
  value: string,
  what: string,
  context: PolicyContext,
  violations: string[],
): Promise<string | undefined> {
  const target = /^container:(.*)$/.exec(value)?.[1];
  if (target === undefined) return undefined;
  const id = target === '' ? undefined : await context.ownedId('container', target);
  if (id) return `container:${id}`;
  violations.push(
    `joining ${what} of container "${target}" is not allowed: it is not one of this job's containers`,
  );
  return undefined;
}

/**
 * Links `name[:alias]` → `id:alias`, the alias defaulting to the name the
 * job used. Links on a user network (`by-name`) are resolved by the
 * network's DNS, which knows containers by name, not by full id: they are
 * sent the engine name in the job's namespace when it stands for the same
 * container (no one else can make a name there), else the id.
 */
async function pinLinks(
  links: unknown,
  context: PolicyContext,
  violations: string[],
  pinning: 'by-id' | 'by-name' = 'by-id',
): Promise<string[]> {
  const pinned: string[] = [];
  for (const link of asStrings(links)) {
    const [rawName = '', alias] = link.split(':');
    const name = rawName.replace(/^\//, '');
    const id = await context.ownedId('container', name);
    if (!id) {
      violations.push(`--link "${name}" is not allowed: it is not one of this job's containers`);
      continue;
    }
    const engineName = context.engineName('container', name);
    const byName = pinning === 'by-name' && (await context.ownedId('container', engineName)) === id;
    pinned.push(`${byName ? engineName : id}:${alias ?? name}`);
  }
  return pinned;
}

/**
 * Checks a mount's source; resolves to the source to send: a bind's path as
 * it is, a volume's engine name (the job's own, or the one to create).
 */
async function checkMountSource(
  type: 'bind' | 'volume',
  source: string,
  context: PolicyContext,
  violations: string[],
  volumesToCreate: string[],
): Promise<string> {
  if (type === 'bind') {
    if (!isAllowedBindPath(source, context.allowedBindPaths)) {
      violations.push(
        `bind-mounting host path "${source}" is not allowed${context.allowedBindPaths.length ? ` (allowed: ${context.allowedBindPaths.join(', ')})` : ' (no host paths are shared with this job)'}`,
      );
    }
    return source;
  }
  if (source === '') return source; // anonymous volume: removed with its container
  const own = await context.ownedId('volume', source);
  if (own) return own;
  const engineName = context.engineName('volume', source);
  if (await context.volumeExists(engineName))
    violations.push(`volume "${source}" is not one of this job's volumes`);
  else volumesToCreate.push(engineName);
  return engineName;
}

/** Whether a host path lies within one of the allowed paths (segment-wise, after normalising). */
export function isAllowedBindPath(path: string, allowed: readonly string[]): boolean {
  if (!isAbsolute(path)) return false;
  const within = (candidate: string, roots: readonly string[]) =>
    roots.some((root) => {
      const base = normalize(root).replace(/\/+$/, '') || '/';
      return base !== '/' && (candidate === base || candidate.startsWith(`${base}/`));
    });
  const normalised = normalize(path).replace(/\/+$/, '') || '/';
  if (!within(normalised, allowed)) return false;
  // The engine follows symlinks on the host: a link the job made inside an allowed path (`ln -s / x`)
  // must not lead out of it. (A job that can write there can still race this check; see the docs.)
  return within(resolvedOnHost(normalised), allowed.map(resolvedOnHost));
}

/** A host path with every symlink resolved, as far as it exists (the rest, which the engine would create, appended). */
function resolvedOnHost(path: string): string {
  const missing: string[] = [];
  let existing = normalize(path);
  for (;;) {
    try {
      return join(realpathSync(existing), ...missing.reverse());
    } catch {
      if (existing === '/') return normalize(path);
      missing.push(basename(existing));
      existing = dirname(existing);
    }
  }
}

/** Everything wrong with a canonical exec-create body. */
export function checkExecCreate(body: CanonicalBody): string[] {
  return body.Privileged === true ? ['privileged exec is not allowed (docker exec --privileged)'] : [];
}

/**
 * Everything wrong with a canonical network-create body, and the body to
 * send: duplicate names are always refused by the engine (`CheckDuplicate`),
 * so a job's network name never shadows another's.
 */
export function checkNetworkCreate(body: CanonicalBody): PolicyResult {
  const violations: string[] = [];
  const driver = asString(body.Driver);
  if (!ALLOWED_NETWORK_DRIVERS.has(driver))
    violations.push(`network driver "${driver}" is not allowed (only bridge networks)`);
  const scope = asString(body.Scope);
  if (scope !== '' && scope !== 'local') violations.push(`network scope "${scope}" is not allowed`);
  for (const option of Object.keys(asObject(body.Options))) {
    if (!ALLOWED_NETWORK_OPTIONS.has(option)) violations.push(`network option "${option}" is not allowed`);
  }
  const ipam = asObject(body.IPAM);
  const ipamDriver = asString(ipam.Driver);
  if (ipamDriver !== '' && ipamDriver !== 'default')
    violations.push(`IPAM driver "${ipamDriver}" is not allowed`);
  if (Object.keys(asObject(ipam.Options)).length > 0) violations.push('IPAM driver options are not allowed');
  if (body.ConfigFrom || body.ConfigOnly || body.Ingress)
    violations.push('config-only, config-from and ingress networks are not allowed');
  // A job's subnets are the engine's to choose: a subnet of its own could take over host routes.
  for (const config of Array.isArray(ipam.Config) ? (ipam.Config as Body[]) : []) {
    const chosen = ['Subnet', 'IPRange', 'Gateway', 'AuxiliaryAddresses'].filter(
      (field) => asObject(config)[field] !== undefined && asObject(config)[field] !== '',
    );
    if (chosen.length > 0)
      violations.push(
        `choosing network addresses (${chosen.join(', ')}) is not allowed: the engine picks them`,
      );
  }
  return { violations, body: { ...body, CheckDuplicate: true } };
}

/**
 * Everything wrong with a canonical network connect/disconnect body, and the
 * body to send (the container pinned to its engine id).
 */
export async function checkNetworkConnect(
  body: CanonicalBody,
  context: PolicyContext,
): Promise<PolicyResult> {
  const container = asString(body.Container);
  const id = container === '' ? undefined : await context.ownedId('container', container);
  const violations = id ? [] : [`container "${container}" is not one of this job's containers`];
  let pinned = id ? { ...body, Container: id } : body;
  if (body.EndpointConfig) {
    const checked = await checkEndpoint(asObject(body.EndpointConfig), context);
    violations.push(...checked.violations);
    if (checked.endpoint) pinned = { ...pinned, EndpointConfig: checked.endpoint };
  }
  return { violations, body: pinned };
}

/** Everything wrong with a canonical volume-create body. */
export function checkVolumeCreate(body: CanonicalBody): string[] {
  const violations: string[] = [];
  const driver = asString(body.Driver);
  if (driver !== '' && driver !== 'local') violations.push(`volume driver "${driver}" is not allowed`);
  if (Object.keys(asObject(body.DriverOpts)).length > 0) {
    violations.push(
      'volume driver options are not allowed (they can bind-mount host paths: -o type=none -o o=bind)',
    );
  }
  return violations;
}

function asObject(value: unknown): Body {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Body) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asStrings(value: unknown): string[] {
  return asArray(value).map(String);
}

function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
