import { InvalidSpecError, type SpecIssue } from '../errors/index.js';
import { RESERVED_LABEL_PREFIX } from '../labels/sandkit-labels.js';
import type { Runtime } from '../runtime/runtime.js';
import { describeValue as describe, IssueList } from '../validation/issue-list.js';
import { checkFileEntry } from '../validation/validate-copy-arguments.js';
import type { SandboxProfile, SandboxSpec } from './sandbox-spec.js';

const SPEC_KEYS = [
  'image',
  'cmd',
  'entrypoint',
  'env',
  'user',
  'workdir',
  'labels',
  'resources',
  'ports',
  'files',
  'docker',
  'seed',
  'profile',
  'ttlMs',
  'readiness',
  'pull',
  'trust',
] as const satisfies readonly (keyof SandboxSpec)[];
const DOCKER_ACCESS = ['none', 'shared', 'isolated'];
const PULL_POLICIES = ['never', 'missing', 'always'];
const SEED_STRATEGIES = ['auto', 'load', 'clone'];
const PROFILES = ['kubernetes-node'] as const satisfies readonly SandboxProfile[];
const MIN_MEMORY = 6 * 1024 * 1024;
/** The engine's smallest CPU quota is 0.01 of a core. */
const MIN_CPUS = 0.01;
/** More cores than any host this runs on has; the engine refuses more than the host's anyway. */
const MAX_CPUS = 1024;
/** Linux's largest `pid_max`. */
const MAX_PIDS = 4_194_304;
/** The longest expiry: 366 days. */
export const MAX_TTL_MS = 366 * 24 * 60 * 60 * 1000;
/** Docker's reference grammar, loosely: [registry[:port]/]name[:tag][@digest], lowercase repository. */
const IMAGE_REF =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const IMAGE_ALLOWED = '[registry/]name[:tag][@sha256:digest], lowercase, e.g. "busybox:1.36"';
const ENV_NAME = /^[^=\0]+$/;
const PORT = 'an integer 1-65535';

/**
 * Checks a spec and returns every problem found (empty when valid): wrong
 * types and shapes, values out of range, and keys the spec does not have, at
 * every level. Pure: touches no engine, and never throws. Runtimes add their
 * own rules on top (see `Runtime.validate`).
 */
export function findSpecIssues(spec: SandboxSpec): SpecIssue[] {
  const list = new IssueList();
  const s = list.object(spec, '', SPEC_KEYS);
  if (!s) {
    return [{ ...(list.issues[0] as SpecIssue), path: '(spec)' }];
  }
  if (list.text(s.image, 'image', IMAGE_ALLOWED, { empty: false }) && !IMAGE_REF.test(s.image)) {
    list.add('image', `"${s.image}" is not a valid image reference`, IMAGE_ALLOWED);
  }
  if (s.cmd !== undefined) list.argv(s.cmd, 'cmd');
  if (s.entrypoint !== undefined) list.argv(s.entrypoint, 'entrypoint');
  if (s.env !== undefined) {
    list.stringRecord(s.env, 'env', {
      problem: (key) =>
        ENV_NAME.test(key) ? undefined : 'names must be non-empty and contain no "=" or NUL',
      allowed: 'a name without "=" or NUL, e.g. "PATH"',
    });
  }
  if (s.labels !== undefined) {
    list.stringRecord(s.labels, 'labels', {
      problem: (key) =>
        key.length === 0
          ? 'label keys must not be empty'
          : key.startsWith(RESERVED_LABEL_PREFIX)
            ? `keys starting with "${RESERVED_LABEL_PREFIX}" are reserved`
            : undefined,
      allowed: `a non-empty key not starting with "${RESERVED_LABEL_PREFIX}", e.g. "team"`,
    });
  }
  if (s.user !== undefined) list.user(s.user, 'user');
  if (s.workdir !== undefined) list.absolutePath(s.workdir, 'workdir');
  if (s.resources !== undefined) checkResources(list, s.resources);
  if (s.ports !== undefined) checkPorts(list, s.ports);
  if (s.files !== undefined) {
    if (Array.isArray(s.files)) {
      s.files.forEach((file, index) => {
        checkFileEntry(list, file, `files[${index}]`, { owner: false });
      });
    } else {
      list.add(
        'files',
        `expected an array, got ${describe(s.files)}`,
        'an array of { path, content, mode? }',
      );
    }
  }
  if (s.docker !== undefined) list.oneOf(s.docker, 'docker', DOCKER_ACCESS);
  if (s.pull !== undefined) list.oneOf(s.pull, 'pull', PULL_POLICIES);
  if (s.trust !== undefined) list.oneOf(s.trust, 'trust', ['trusted', 'untrusted']);
  if (s.seed !== undefined) checkSeed(list, s.seed, s.docker);
  if (s.profile !== undefined) {
    list.oneOf(s.profile, 'profile', PROFILES);
    if (s.docker === 'shared')
      list.add(
        'profile',
        `a ${describe(s.profile)} sandbox is a system container, but docker is "shared" (sibling containers)`,
        'docker: "isolated" (with sandkit\'s inner Docker daemon) or "none" (the image brings its own init and container runtime)',
      );
  }
  if (s.ttlMs !== undefined) {
    list.integer(s.ttlMs, 'ttlMs', 1, MAX_TTL_MS, `an integer of milliseconds 1-${MAX_TTL_MS} (366 days)`);
  }
  if (s.readiness !== undefined) checkReadiness(list, s.readiness);
  return list.issues;
}

/**
 * Throws {@link InvalidSpecError} listing every problem when the spec is
 * invalid: the generic ones and, when `runtime` is given and the spec is an
 * object, the runtime's own.
 */
export function assertValidSpec(spec: SandboxSpec, runtime?: Pick<Runtime, 'name' | 'validate'>): void {
  const issues = findSpecIssues(spec);
  if (runtime && issues[0]?.path !== '(spec)') issues.push(...runtime.validate(spec));
  if (issues.length > 0) {
    throw new InvalidSpecError(issues, {
      ...(runtime ? { runtime: runtime.name } : {}),
      ...(typeof spec?.image === 'string' ? { image: spec.image } : {}),
    });
  }
}

function checkResources(list: IssueList, value: unknown): void {
  const r = list.object(value, 'resources', ['cpus', 'memoryBytes', 'pids']);
  if (!r) return;
  if (r.cpus !== undefined && !(typeof r.cpus === 'number' && r.cpus >= MIN_CPUS && r.cpus <= MAX_CPUS)) {
    list.add(
      'resources.cpus',
      `expected a number of cores ${MIN_CPUS}-${MAX_CPUS}, got ${describe(r.cpus)}`,
      `${MIN_CPUS}-${MAX_CPUS} cores, fractions allowed, e.g. 0.5 or 2`,
    );
  }
  if (r.memoryBytes !== undefined) {
    list.integer(
      r.memoryBytes,
      'resources.memoryBytes',
      MIN_MEMORY,
      Number.MAX_SAFE_INTEGER,
      `an integer of bytes ≥ ${MIN_MEMORY} (6 MiB), e.g. ${512 << 20} (512 MiB)`,
    );
  }
  if (r.pids !== undefined) list.integer(r.pids, 'resources.pids', 1, MAX_PIDS);
}

function checkPorts(list: IssueList, value: unknown): void {
  if (!Array.isArray(value)) {
    list.add(
      'ports',
      `expected an array, got ${describe(value)}`,
      'an array of port numbers or { container, protocol? }',
    );
    return;
  }
  const seen = new Set<string>();
  value.forEach((port, index) => {
    const path = `ports[${index}]`;
    let key: string | undefined;
    if (typeof port === 'number') {
      list.integer(port, path, 1, 65535, PORT);
      key = `${port}/tcp`;
    } else {
      const p = list.object(port, path, ['container', 'protocol']);
      if (!p) return;
      list.integer(p.container, `${path}.container`, 1, 65535, PORT);
      if (p.protocol !== undefined) list.oneOf(p.protocol, `${path}.protocol`, ['tcp', 'udp']);
      key = `${String(p.container)}/${String(p.protocol ?? 'tcp')}`;
    }
    if (seen.has(key)) list.add(path, `port ${key} is listed twice`, 'each port and protocol once');
    seen.add(key);
  });
}

function checkSeed(list: IssueList, value: unknown, docker: unknown): void {
  const seed = list.object(value, 'seed', ['images', 'strategy']);
  if ((docker ?? 'none') !== 'isolated') {
    list.add(
      'seed',
      `seeding needs its own inner daemon, but docker is ${describe(docker ?? 'none')}`,
      'set docker: "isolated"',
    );
  }
  if (!seed) return;
  const allowed = 'a non-empty array of image references, e.g. ["postgres:16"]';
  if (!Array.isArray(seed.images) || seed.images.length === 0) {
    list.add(
      'seed.images',
      `expected a non-empty array of image references, got ${describe(seed.images)}`,
      allowed,
    );
  } else {
    seed.images.forEach((ref: unknown, index: number) => {
      if (typeof ref !== 'string' || !IMAGE_REF.test(ref)) {
        list.add(`seed.images[${index}]`, `${describe(ref)} is not a valid image reference`, IMAGE_ALLOWED);
      }
    });
  }
  if (seed.strategy !== undefined) list.oneOf(seed.strategy, 'seed.strategy', SEED_STRATEGIES);
}

const READINESS_KEYS: Record<string, readonly string[]> = {
  exec: ['exec'],
  log: ['log', 'times'],
  port: ['port'],
  healthcheck: ['healthcheck'],
};
const READINESS_ALLOWED = 'exactly one of { exec: [...] }, { log, times? }, { port }, { healthcheck: true }';

function checkReadiness(list: IssueList, value: unknown): void {
  const kinds = Object.keys(READINESS_KEYS);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    list.add('readiness', `expected an object, got ${describe(value)}`, READINESS_ALLOWED);
    return;
  }
  const present = kinds.filter((k) => k in value);
  if (present.length !== 1) {
    list.add(
      'readiness',
      `expected exactly one of ${kinds.join(', ')}; got ${present.length ? present.join(' + ') : 'none'}`,
      READINESS_ALLOWED,
    );
    return;
  }
  const kind = present[0] as string;
  const r = list.object(value, 'readiness', READINESS_KEYS[kind] as readonly string[]);
  if (!r) return;
  if (kind === 'exec') list.argv(r.exec, 'readiness.exec');
  if (kind === 'log') {
    if (!(typeof r.log === 'string' || r.log instanceof RegExp)) {
      list.add(
        'readiness.log',
        `expected a string or RegExp, got ${describe(r.log)}`,
        'a string or RegExp, e.g. /ready/',
      );
    }
    if (r.times !== undefined) list.integer(r.times, 'readiness.times', 1, 1_000_000);
  }
  if (kind === 'port') list.integer(r.port, 'readiness.port', 1, 65535, PORT);
  if (kind === 'healthcheck' && r.healthcheck !== true) {
    list.add('readiness.healthcheck', `expected true, got ${describe(r.healthcheck)}`, 'true');
  }
}
