import { isAbsolute, normalize } from 'node:path';
import type { ObjectKind } from './api-route.js';

/** What the policy needs to know about the job's objects and settings. */
export interface PolicyContext {
  /** Host paths (absolute) the job may bind-mount, with everything below them. */
  allowedBindPaths: readonly string[];
  /** Whether the object (by id or name) exists and belongs to the job. */
  owns(kind: ObjectKind, idOrName: string): Promise<boolean>;
  /** Whether a volume of that name exists at all. */
  volumeExists(name: string): Promise<boolean>;
}

/** Networks every container may join. */
const DEFAULT_NETWORKS = new Set(['', 'default', 'bridge', 'none']);
/** Security options that switch a protection off. */
const UNCONFINED =
  /^(seccomp|apparmor|label|systempaths)[=:](unconfined|disable)$|^no-new-privileges[=:]false$/i;
/** Network drivers that reach the host's interfaces. */
const ALLOWED_NETWORK_DRIVERS = new Set(['', 'bridge']);
/** Network options a job may set. */
const ALLOWED_NETWORK_OPTIONS = new Set([
  'com.docker.network.bridge.enable_icc',
  'com.docker.network.driver.mtu',
]);

type Body = Record<string, unknown>;

/**
 * Everything wrong with a container-create body, as messages the job's
 * `docker` CLI will print; empty when the container may be created. Named
 * volumes that do not exist yet are returned so the proxy can create them
 * labelled (the engine would create them unlabelled).
 */
export async function checkContainerCreate(
  body: Body,
  context: PolicyContext,
): Promise<{ violations: string[]; volumesToCreate: string[] }> {
  const violations: string[] = [];
  const volumesToCreate: string[] = [];
  const host = (body.HostConfig ?? {}) as Body;
  if (host.Privileged === true) violations.push('privileged containers are not allowed');
  for (const [field, what] of [
    ['PidMode', 'pid'],
    ['IpcMode', 'ipc'],
    ['UTSMode', 'uts'],
    ['UsernsMode', 'user'],
    ['CgroupnsMode', 'cgroup'],
    ['NetworkMode', 'network'],
  ] as const) {
    const value = String(host[field] ?? '');
    if (value === 'host')
      violations.push(
        `the host's ${what} namespace is not allowed (--${what === 'user' ? 'userns' : what === 'cgroup' ? 'cgroupns' : what}=host)`,
      );
    const joined = /^container:(.+)$/.exec(value)?.[1];
    if (joined && !(await context.owns('container', joined))) {
      violations.push(
        `joining the ${what} namespace of container "${joined}" is not allowed: it is not one of this job's containers`,
      );
    }
  }
  const network = String(host.NetworkMode ?? '');
  if (
    !DEFAULT_NETWORKS.has(network) &&
    network !== 'host' &&
    !network.startsWith('container:') &&
    !(await context.owns('network', network))
  ) {
    violations.push(`network "${network}" is not one of this job's networks`);
  }
  for (const name of Object.keys(
    ((body.NetworkingConfig as Body | undefined)?.EndpointsConfig ?? {}) as Body,
  )) {
    if (!DEFAULT_NETWORKS.has(name) && name !== network && !(await context.owns('network', name))) {
      violations.push(`network "${name}" is not one of this job's networks`);
    }
  }
  const capAdd = asStrings(host.CapAdd);
  if (capAdd.length > 0)
    violations.push(`adding capabilities is not allowed (--cap-add ${capAdd.join(', ')})`);
  if (asArray(host.Devices).length > 0) violations.push('host devices are not allowed (--device)');
  if (asArray(host.DeviceRequests).length > 0) violations.push('device requests are not allowed (--gpus)');
  if (asArray(host.DeviceCgroupRules).length > 0)
    violations.push('device cgroup rules are not allowed (--device-cgroup-rule)');
  for (const option of asStrings(host.SecurityOpt)) {
    if (UNCONFINED.test(option)) violations.push(`security option "${option}" is not allowed`);
    else if (/^seccomp[=:]/i.test(option)) violations.push('custom seccomp profiles are not allowed');
  }
  if (Object.keys((host.Sysctls ?? {}) as Body).length > 0)
    violations.push('sysctls are not allowed (--sysctl)');
  if (Array.isArray(host.ReadonlyPaths) || Array.isArray(host.MaskedPaths))
    violations.push('changing masked or read-only /proc paths is not allowed');
  if (host.Runtime && host.Runtime !== 'runc')
    violations.push(`OCI runtime "${String(host.Runtime)}" is not allowed`);
  if (host.CgroupParent) violations.push('choosing the cgroup parent is not allowed (--cgroup-parent)');
  if (typeof host.OomScoreAdj === 'number' && host.OomScoreAdj < 0)
    violations.push('a negative OOM score adjustment is not allowed');
  for (const entry of asStrings(host.VolumesFrom)) {
    const from = entry.split(':')[0] as string;
    if (!(await context.owns('container', from)))
      violations.push(`--volumes-from "${from}" is not allowed: it is not one of this job's containers`);
  }
  for (const link of asStrings(host.Links)) {
    const target = (link.split(':')[0] as string).replace(/^\//, '');
    if (!(await context.owns('container', target)))
      violations.push(`--link "${target}" is not allowed: it is not one of this job's containers`);
  }
  for (const bind of asStrings(host.Binds)) {
    const source = bind.split(':')[0] as string;
    await checkMountSource(
      source.startsWith('/') ? 'bind' : 'volume',
      source,
      context,
      violations,
      volumesToCreate,
    );
  }
  for (const mount of asArray(host.Mounts) as Body[]) {
    const type = String(mount.Type ?? 'volume');
    if (type === 'tmpfs') continue;
    if (type !== 'bind' && type !== 'volume') {
      violations.push(`mounts of type "${type}" are not allowed`);
      continue;
    }
    if (type === 'volume' && (mount.VolumeOptions as Body | undefined)?.DriverConfig) {
      violations.push('volume driver options are not allowed');
    }
    await checkMountSource(type, String(mount.Source ?? ''), context, violations, volumesToCreate);
  }
  return { violations, volumesToCreate: [...new Set(volumesToCreate)] };
}

async function checkMountSource(
  type: 'bind' | 'volume',
  source: string,
  context: PolicyContext,
  violations: string[],
  volumesToCreate: string[],
): Promise<void> {
  if (type === 'bind') {
    if (!isAllowedBindPath(source, context.allowedBindPaths)) {
      violations.push(
        `bind-mounting host path "${source}" is not allowed${context.allowedBindPaths.length ? ` (allowed: ${context.allowedBindPaths.join(', ')})` : ' (no host paths are shared with this job)'}`,
      );
    }
    return;
  }
  if (source === '') return; // anonymous volume: removed with its container
  if (await context.owns('volume', source)) return;
  if (await context.volumeExists(source))
    violations.push(`volume "${source}" is not one of this job's volumes`);
  else volumesToCreate.push(source);
}

/** Whether a host path lies within one of the allowed paths (segment-wise, after normalising). */
export function isAllowedBindPath(path: string, allowed: readonly string[]): boolean {
  if (!isAbsolute(path)) return false;
  const normalised = normalize(path).replace(/\/+$/, '') || '/';
  return allowed.some((root) => {
    const base = normalize(root).replace(/\/+$/, '') || '/';
    return base !== '/' && (normalised === base || normalised.startsWith(`${base}/`));
  });
}

/** Everything wrong with an exec-create body. */
export function checkExecCreate(body: Body): string[] {
  return body.Privileged === true ? ['privileged exec is not allowed (docker exec --privileged)'] : [];
}

/** Everything wrong with a network-create body. */
export function checkNetworkCreate(body: Body): string[] {
  const violations: string[] = [];
  const driver = String(body.Driver ?? '');
  if (!ALLOWED_NETWORK_DRIVERS.has(driver))
    violations.push(`network driver "${driver}" is not allowed (only bridge networks)`);
  for (const option of Object.keys((body.Options ?? {}) as Body)) {
    if (!ALLOWED_NETWORK_OPTIONS.has(option)) violations.push(`network option "${option}" is not allowed`);
  }
  if (body.ConfigFrom || body.ConfigOnly || body.Ingress)
    violations.push('config-only, config-from and ingress networks are not allowed');
  return violations;
}

/** Everything wrong with a volume-create body. */
export function checkVolumeCreate(body: Body): string[] {
  const violations: string[] = [];
  const driver = String(body.Driver ?? '');
  if (driver !== '' && driver !== 'local') violations.push(`volume driver "${driver}" is not allowed`);
  if (Object.keys((body.DriverOpts ?? {}) as Body).length > 0) {
    violations.push(
      'volume driver options are not allowed (they can bind-mount host paths: -o type=none -o o=bind)',
    );
  }
  return violations;
}

/** Everything wrong with a build's query parameters. */
export function checkBuild(query: URLSearchParams): string[] {
  const mode = query.get('networkmode') ?? '';
  return mode === 'host' || mode.startsWith('container:')
    ? [`build network mode "${mode}" is not allowed`]
    : [];
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asStrings(value: unknown): string[] {
  return asArray(value).map(String);
}
