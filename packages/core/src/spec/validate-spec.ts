import { InvalidSpecError, type SpecIssue } from '../errors/index.js';
import { RESERVED_LABEL_PREFIX } from '../labels/sandkit-labels.js';
import type { SandboxSpec } from './sandbox-spec.js';

const DOCKER_ACCESS = ['none', 'shared', 'isolated'];
const PULL_POLICIES = ['never', 'missing', 'always'];
const SEED_STRATEGIES = ['auto', 'load', 'clone'];
const MIN_MEMORY = 6 * 1024 * 1024;
/** Docker's reference grammar, loosely: [registry[:port]/]name[:tag][@digest], lowercase repository. */
const IMAGE_REF =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const ENV_NAME = /^[^=\0]+$/;

/**
 * Checks a spec and returns every problem found (empty when valid).
 * Pure: touches no engine. Runtimes add their own rules on top (see `Runtime.validate`).
 */
export function findSpecIssues(spec: SandboxSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const add = (path: string, problem: string, allowed?: string) =>
    issues.push(allowed === undefined ? { path, problem } : { path, problem, allowed });

  if (typeof spec !== 'object' || spec === null) {
    return [{ path: '(spec)', problem: `expected an object, got ${describe(spec)}` }];
  }
  if (typeof spec.image !== 'string' || spec.image.length === 0) {
    add('image', `expected a non-empty image reference, got ${describe(spec.image)}`, 'e.g. "busybox:1.36"');
  } else if (!IMAGE_REF.test(spec.image)) {
    add(
      'image',
      `"${spec.image}" is not a valid image reference`,
      '[registry/]name[:tag][@sha256:digest], lowercase',
    );
  }
  checkArgv(spec.cmd, 'cmd', add);
  checkArgv(spec.entrypoint, 'entrypoint', add);
  checkStringRecord(spec.env, 'env', add, (key) =>
    ENV_NAME.test(key) ? undefined : 'names must be non-empty and contain no "=" or NUL',
  );
  checkStringRecord(spec.labels, 'labels', add, (key) =>
    key.startsWith(RESERVED_LABEL_PREFIX)
      ? `keys starting with "${RESERVED_LABEL_PREFIX}" are reserved`
      : undefined,
  );
  if (spec.user !== undefined && !/^[^:\s]+(?::[^:\s]+)?$/.test(String(spec.user))) {
    add('user', `"${spec.user}" is not a user`, 'name, uid, name:group or uid:gid');
  }
  if (spec.workdir !== undefined && !isAbsolutePath(spec.workdir)) {
    add('workdir', `expected an absolute path, got ${describe(spec.workdir)}`);
  }
  if (spec.resources !== undefined) {
    const { cpus, memoryBytes, pids } = spec.resources;
    if (cpus !== undefined && !(typeof cpus === 'number' && cpus > 0 && Number.isFinite(cpus))) {
      add('resources.cpus', `expected a positive number of cores, got ${describe(cpus)}`, 'e.g. 0.5 or 2');
    }
    if (memoryBytes !== undefined && !(Number.isInteger(memoryBytes) && memoryBytes >= MIN_MEMORY)) {
      add(
        'resources.memoryBytes',
        `expected an integer ≥ ${MIN_MEMORY} (6 MiB), got ${describe(memoryBytes)}`,
      );
    }
    if (pids !== undefined && !(Number.isInteger(pids) && pids > 0)) {
      add('resources.pids', `expected a positive integer, got ${describe(pids)}`);
    }
  }
  (spec.ports ?? []).forEach((port, index) => {
    const number = typeof port === 'number' ? port : port?.container;
    if (!(Number.isInteger(number) && (number as number) >= 1 && (number as number) <= 65535)) {
      add(`ports[${index}]`, `expected a port number 1-65535, got ${describe(number)}`);
    }
    if (typeof port === 'object' && port.protocol !== undefined && !['tcp', 'udp'].includes(port.protocol)) {
      add(`ports[${index}].protocol`, `unknown protocol ${describe(port.protocol)}`, '"tcp" or "udp"');
    }
  });
  if (spec.ports !== undefined && !Array.isArray(spec.ports))
    add('ports', `expected an array, got ${describe(spec.ports)}`);
  (spec.files ?? []).forEach((file, index) => {
    if (!isAbsolutePath(file?.path))
      add(`files[${index}].path`, `expected an absolute path, got ${describe(file?.path)}`);
    if (!(typeof file?.content === 'string' || file?.content instanceof Uint8Array)) {
      add(`files[${index}].content`, `expected a string or Uint8Array, got ${describe(file?.content)}`);
    }
    if (file?.mode !== undefined && !(Number.isInteger(file.mode) && file.mode >= 0 && file.mode <= 0o7777)) {
      add(`files[${index}].mode`, `expected permission bits 0-0o7777, got ${describe(file.mode)}`);
    }
  });
  if (spec.docker !== undefined && !DOCKER_ACCESS.includes(spec.docker)) {
    add('docker', `unknown value ${describe(spec.docker)}`, DOCKER_ACCESS.map((d) => `"${d}"`).join(', '));
  }
  if (spec.pull !== undefined && !PULL_POLICIES.includes(spec.pull)) {
    add('pull', `unknown value ${describe(spec.pull)}`, PULL_POLICIES.map((d) => `"${d}"`).join(', '));
  }
  if (spec.seed !== undefined) {
    if ((spec.docker ?? 'none') !== 'isolated') {
      add(
        'seed',
        `seeding needs its own inner daemon, but docker is "${spec.docker ?? 'none'}"`,
        'set docker: "isolated"',
      );
    }
    if (!Array.isArray(spec.seed.images) || spec.seed.images.length === 0) {
      add('seed.images', `expected a non-empty array of image references, got ${describe(spec.seed.images)}`);
    } else {
      spec.seed.images.forEach((ref, index) => {
        if (typeof ref !== 'string' || !IMAGE_REF.test(ref))
          add(`seed.images[${index}]`, `${describe(ref)} is not a valid image reference`);
      });
    }
    if (spec.seed.strategy !== undefined && !SEED_STRATEGIES.includes(spec.seed.strategy)) {
      add(
        'seed.strategy',
        `unknown value ${describe(spec.seed.strategy)}`,
        SEED_STRATEGIES.map((d) => `"${d}"`).join(', '),
      );
    }
  }
  if (spec.ttlMs !== undefined && !(Number.isInteger(spec.ttlMs) && spec.ttlMs > 0)) {
    add('ttlMs', `expected a positive integer of milliseconds, got ${describe(spec.ttlMs)}`);
  }
  if (spec.readiness !== undefined) checkReadiness(spec.readiness, add);
  if (spec.trust !== undefined && !['trusted', 'untrusted'].includes(spec.trust)) {
    add('trust', `unknown value ${describe(spec.trust)}`, '"trusted", "untrusted"');
  }
  return issues;
}

/** Throws {@link InvalidSpecError} listing every problem when the spec is invalid. */
export function assertValidSpec(
  spec: SandboxSpec,
  extraIssues: readonly SpecIssue[] = [],
  runtime?: string,
): void {
  const issues = [...findSpecIssues(spec), ...extraIssues];
  if (issues.length > 0) {
    throw new InvalidSpecError(issues, {
      ...(runtime ? { runtime } : {}),
      ...(typeof spec?.image === 'string' ? { image: spec.image } : {}),
    });
  }
}

type Add = (path: string, problem: string, allowed?: string) => void;

function checkReadiness(readiness: SandboxSpec['readiness'], add: Add): void {
  const r = readiness as Record<string, unknown>;
  const kinds = ['exec', 'log', 'port', 'healthcheck'].filter((k) => r && k in r);
  if (kinds.length !== 1) {
    add(
      'readiness',
      `expected exactly one of exec, log, port, healthcheck; got ${kinds.length ? kinds.join(' + ') : describe(readiness)}`,
    );
    return;
  }
  if ('exec' in r) checkArgv(r.exec, 'readiness.exec', add, true);
  if ('log' in r && !(typeof r.log === 'string' || r.log instanceof RegExp)) {
    add('readiness.log', `expected a string or RegExp, got ${describe(r.log)}`);
  }
  if ('log' in r && r.times !== undefined && !(Number.isInteger(r.times) && (r.times as number) > 0)) {
    add('readiness.times', `expected a positive integer, got ${describe(r.times)}`);
  }
  if ('port' in r && !(Number.isInteger(r.port) && (r.port as number) >= 1 && (r.port as number) <= 65535)) {
    add('readiness.port', `expected a port number 1-65535, got ${describe(r.port)}`);
  }
  if ('healthcheck' in r && r.healthcheck !== true) add('readiness.healthcheck', 'expected true');
}

function checkArgv(value: unknown, path: string, add: Add, required = false): void {
  if (value === undefined && !required) return;
  if (!Array.isArray(value) || value.length === 0 || !value.every((a) => typeof a === 'string')) {
    add(
      path,
      `expected a non-empty array of strings, got ${describe(value)}`,
      'e.g. ["sh", "-c", "echo hi"]',
    );
  }
}

function checkStringRecord(
  value: unknown,
  path: string,
  add: Add,
  keyProblem: (key: string) => string | undefined,
): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    add(path, `expected an object of strings, got ${describe(value)}`);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const problem = keyProblem(key);
    if (problem) add(`${path}.${key}`, problem);
    if (typeof v !== 'string') add(`${path}.${key}`, `expected a string value, got ${describe(v)}`);
  }
}

function isAbsolutePath(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('/');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array (${JSON.stringify(value).slice(0, 60)})`;
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
