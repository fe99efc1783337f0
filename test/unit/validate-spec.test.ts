import {
  findSpecIssues,
  InvalidArgumentError,
  InvalidSpecError,
  type SandboxSpec,
  Sandkit,
} from '@sandkit/core';
import { assertValidSpec } from '@sandkit/core/runtime';
import { socket } from '@sandkit/runtime-socket';
import { sysbox } from '@sandkit/runtime-sysbox';
import { describe, expect, it } from 'vitest';
import { MAX_TTL_MS } from '../../packages/core/src/spec/validate-spec.js';
import { recordingEngine } from '../support/recording-engine.js';

const paths = (spec: unknown) => findSpecIssues(spec as SandboxSpec).map((i) => i.path);
const base = { image: 'busybox' };

/** Values of every JavaScript kind, each wrong for the fields that do not list it as valid. */
const KINDS: Record<string, unknown> = {
  null: null,
  number: 5,
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  boolean: true,
  string: 'abc',
  'empty string': '',
  'empty array': [],
  'array of null': [null],
  'empty object': {},
  function: () => {},
  date: new Date(0),
};

/** For each spec field, the kinds above that are valid (or another field's business) there. */
const VALID_KINDS: Record<string, string[]> = {
  image: ['string'],
  cmd: [],
  entrypoint: [],
  env: ['empty object'],
  user: ['string'],
  workdir: [],
  labels: ['empty object'],
  resources: ['empty object'],
  ports: ['empty array'],
  files: ['empty array'],
  docker: [],
  seed: [],
  profile: [],
  ttlMs: ['number'],
  readiness: [],
  pull: [],
  trust: [],
};

/** A case: a spec, and the paths of the issues it must produce (in order). */
type Case = [name: string, spec: unknown, expectedPaths: string[]];

const wrongKinds: Case[] = Object.entries(VALID_KINDS).flatMap(([field, valid]) =>
  Object.entries(KINDS)
    .filter(([kind]) => !valid.includes(kind))
    .map(([kind, value]): Case => {
      const spec = field === 'image' ? { image: value } : { ...base, [field]: value };
      return [`${field}: ${kind}`, spec, expectedForWrongKind(field, kind)];
    }),
);

/** Where the problem is reported when `field` gets a value of the wrong kind. */
function expectedForWrongKind(field: string, kind: string): string[] {
  // Arrays are checked element by element.
  if (kind === 'array of null' && ['cmd', 'entrypoint'].includes(field)) return [`${field}[0]`];
  if (kind === 'array of null' && field === 'ports') return ['ports[0]'];
  if (kind === 'array of null' && field === 'files') return ['files[0]'];
  // A seed is also refused because docker is not "isolated", at the same path.
  if (field === 'seed') return kind === 'empty object' ? ['seed', 'seed.images'] : ['seed', 'seed'];
  return [field];
}

const nested: Case[] = [
  ['the spec itself: null', null, ['(spec)']],
  ['the spec itself: undefined', undefined, ['(spec)']],
  ['the spec itself: a string', 'busybox', ['(spec)']],
  ['the spec itself: an array', [base], ['(spec)']],
  ['no image', {}, ['image']],
  ['image: upper case', { image: 'BusyBox' }, ['image']],
  ['image: spaces', { image: 'busy box' }, ['image']],
  ['unknown top-level key', { ...base, memory: 1 << 30 }, ['memory']],
  ['unknown top-level keys', { ...base, privileged: true, network: 'host' }, ['privileged', 'network']],
  ['cmd: a string', { ...base, cmd: 'echo hi' }, ['cmd']],
  ['cmd: a number inside', { ...base, cmd: ['sleep', 5] }, ['cmd[1]']],
  ['cmd: NUL in an argument', { ...base, cmd: ['echo', 'a\0b'] }, ['cmd[1]']],
  ['entrypoint: empty', { ...base, entrypoint: [] }, ['entrypoint']],
  ['env: a name with =', { ...base, env: { 'A=B': 'x' } }, ['env.A=B']],
  ['env: an empty name', { ...base, env: { '': 'x' } }, ['env.']],
  ['env: a number value', { ...base, env: { A: 3 } }, ['env.A']],
  ['env: a null value', { ...base, env: { A: null } }, ['env.A']],
  ['env: NUL in a value', { ...base, env: { A: 'x\0y' } }, ['env.A']],
  [
    'labels: reserved prefix',
    { ...base, labels: { 'dev.sandkit.session': 'forged' } },
    ['labels.dev.sandkit.session'],
  ],
  ['labels: a boolean value', { ...base, labels: { team: true } }, ['labels.team']],
  ['labels: an empty key', { ...base, labels: { '': 'x' } }, ['labels.']],
  ['user: a number', { ...base, user: 1000 }, ['user']],
  ['user: spaces', { ...base, user: 'a b' }, ['user']],
  ['user: three parts', { ...base, user: '1:2:3' }, ['user']],
  ['workdir: relative', { ...base, workdir: 'tmp' }, ['workdir']],
  ['workdir: NUL', { ...base, workdir: '/tmp\0' }, ['workdir']],
  ['resources.memory (unknown key)', { ...base, resources: { memory: 1 << 30 } }, ['resources.memory']],
  ['resources.cpu (unknown key)', { ...base, resources: { cpu: 1 } }, ['resources.cpu']],
  ['resources.cpus: 0', { ...base, resources: { cpus: 0 } }, ['resources.cpus']],
  ['resources.cpus: 1e-12', { ...base, resources: { cpus: 1e-12 } }, ['resources.cpus']],
  ['resources.cpus: negative', { ...base, resources: { cpus: -1 } }, ['resources.cpus']],
  ['resources.cpus: NaN', { ...base, resources: { cpus: Number.NaN } }, ['resources.cpus']],
  [
    'resources.cpus: Infinity',
    { ...base, resources: { cpus: Number.POSITIVE_INFINITY } },
    ['resources.cpus'],
  ],
  ['resources.cpus: 1e300', { ...base, resources: { cpus: 1e300 } }, ['resources.cpus']],
  ['resources.cpus: a string', { ...base, resources: { cpus: '2' } }, ['resources.cpus']],
  ['resources.memoryBytes: 1', { ...base, resources: { memoryBytes: 1 } }, ['resources.memoryBytes']],
  [
    'resources.memoryBytes: fractional',
    { ...base, resources: { memoryBytes: 7e6 + 0.5 } },
    ['resources.memoryBytes'],
  ],
  ['resources.memoryBytes: 1e300', { ...base, resources: { memoryBytes: 1e300 } }, ['resources.memoryBytes']],
  ['resources.memoryBytes: "1g"', { ...base, resources: { memoryBytes: '1g' } }, ['resources.memoryBytes']],
  ['resources.pids: 0', { ...base, resources: { pids: 0 } }, ['resources.pids']],
  ['resources.pids: 1e9', { ...base, resources: { pids: 1e9 } }, ['resources.pids']],
  ['resources: an array', { ...base, resources: [1] }, ['resources']],
  ['ports: 0', { ...base, ports: [0] }, ['ports[0]']],
  ['ports: 70000', { ...base, ports: [70000] }, ['ports[0]']],
  ['ports: fractional', { ...base, ports: [80.5] }, ['ports[0]']],
  ['ports: a string element', { ...base, ports: ['80'] }, ['ports[0]']],
  ['ports: a duplicate', { ...base, ports: [80, { container: 80 }] }, ['ports[1]']],
  [
    'ports: unknown protocol',
    { ...base, ports: [{ container: 80, protocol: 'sctp' }] },
    ['ports[0].protocol'],
  ],
  ['ports: unknown key', { ...base, ports: [{ container: 80, host: 8080 }] }, ['ports[0].host']],
  ['ports: no container', { ...base, ports: [{ protocol: 'udp' }] }, ['ports[0].container']],
  ['files: relative path', { ...base, files: [{ path: 'rel', content: 'x' }] }, ['files[0].path']],
  ['files: NUL in path', { ...base, files: [{ path: '/a\0b', content: 'x' }] }, ['files[0].path']],
  ['files: ".." in path', { ...base, files: [{ path: '/a/../b', content: 'x' }] }, ['files[0].path']],
  ['files: a directory path', { ...base, files: [{ path: '/etc/', content: 'x' }] }, ['files[0].path']],
  ['files: number content', { ...base, files: [{ path: '/a', content: 5 }] }, ['files[0].content']],
  ['files: no content', { ...base, files: [{ path: '/a' }] }, ['files[0].content']],
  ['files: mode -1', { ...base, files: [{ path: '/a', content: 'x', mode: -1 }] }, ['files[0].mode']],
  ['files: setuid mode', { ...base, files: [{ path: '/a', content: 'x', mode: 0o4755 }] }, ['files[0].mode']],
  ['files: unknown key', { ...base, files: [{ path: '/a', content: 'x', owner: 0 }] }, ['files[0].owner']],
  [
    'files: uid (only writeFiles takes one)',
    { ...base, files: [{ path: '/a', content: 'x', uid: 0 }] },
    ['files[0].uid'],
  ],
  ['docker: unknown', { ...base, docker: 'root' }, ['docker']],
  ['pull: unknown', { ...base, pull: 'sometimes' }, ['pull']],
  ['trust: unknown', { ...base, trust: 'yes' }, ['trust']],
  ['seed without an inner daemon', { ...base, seed: { images: ['redis:7'] } }, ['seed']],
  ['seed: no images', { ...base, docker: 'isolated', seed: { images: [] } }, ['seed.images']],
  ['seed: bad image', { ...base, docker: 'isolated', seed: { images: ['Bad Ref'] } }, ['seed.images[0]']],
  [
    'seed: unknown strategy',
    { ...base, docker: 'isolated', seed: { images: ['a'], strategy: 'copy' } },
    ['seed.strategy'],
  ],
  ['seed: unknown key', { ...base, docker: 'isolated', seed: { images: ['a'], lazy: true } }, ['seed.lazy']],
  ['ttlMs: 0', { ...base, ttlMs: 0 }, ['ttlMs']],
  ['ttlMs: negative', { ...base, ttlMs: -5 }, ['ttlMs']],
  ['ttlMs: 1e300', { ...base, ttlMs: 1e300 }, ['ttlMs']],
  ['ttlMs: over a year', { ...base, ttlMs: MAX_TTL_MS + 1 }, ['ttlMs']],
  ['ttlMs: fractional', { ...base, ttlMs: 1.5 }, ['ttlMs']],
  ['readiness: two kinds', { ...base, readiness: { exec: ['true'], port: 80 } }, ['readiness']],
  ['readiness: no kind', { ...base, readiness: {} }, ['readiness']],
  ['readiness: port 0', { ...base, readiness: { port: 0 } }, ['readiness.port']],
  ['readiness: empty exec', { ...base, readiness: { exec: [] } }, ['readiness.exec']],
  ['readiness: exec a string', { ...base, readiness: { exec: 'true' } }, ['readiness.exec']],
  ['readiness: log a number', { ...base, readiness: { log: 5 } }, ['readiness.log']],
  ['readiness: times 0', { ...base, readiness: { log: 'ready', times: 0 } }, ['readiness.times']],
  ['readiness: unknown key', { ...base, readiness: { port: 80, timeoutMs: 5 } }, ['readiness.timeoutMs']],
  ['readiness: times without log', { ...base, readiness: { port: 80, times: 2 } }, ['readiness.times']],
  ['readiness: inherited keys only', { ...base, readiness: Object.create({ port: 80 }) }, ['readiness']],
  ['readiness: healthcheck false', { ...base, readiness: { healthcheck: false } }, ['readiness.healthcheck']],
];

const CASES: Case[] = [...wrongKinds, ...nested];

describe('spec validation', () => {
  it('accepts a minimal spec and a full one', () => {
    expect(findSpecIssues({ image: 'busybox' })).toEqual([]);
    expect(
      findSpecIssues({
        image: `registry.local:5000/team/app:1.2@sha256:${'a'.repeat(64)}`,
        cmd: ['sh', '-c', 'true'],
        entrypoint: ['/init'],
        env: { A: '1' },
        user: '1000:1000',
        workdir: '/work',
        labels: { team: 'x' },
        resources: { cpus: 0.5, memoryBytes: 64 << 20, pids: 100 },
        ports: [80, { container: 53, protocol: 'udp' }, { container: 80, protocol: 'udp' }],
        files: [{ path: '/etc/app.conf', content: 'x', mode: 0o600 }],
        docker: 'isolated',
        seed: { images: ['postgres:16'], strategy: 'clone' },
        profile: 'kubernetes-node',
        ttlMs: 60_000,
        readiness: { log: /ready/, times: 2 },
        pull: 'never',
        trust: 'trusted',
      }),
    ).toEqual([]);
  });

  it(`rejects each of ${CASES.length} generated malformed specs, naming the path of every problem`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(100);
    const mismatches = CASES.flatMap(([name, spec, expected]) => {
      const got = paths(spec);
      return JSON.stringify(got) === JSON.stringify(expected)
        ? []
        : [`${name}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`];
    });
    expect(mismatches).toEqual([]);
  });

  it('throws InvalidSpecError, never a TypeError, and every issue says what is allowed', () => {
    for (const [name, spec] of CASES) {
      let thrown: unknown;
      try {
        assertValidSpec(spec as SandboxSpec);
      } catch (error) {
        thrown = error;
      }
      expect(InvalidSpecError.is(thrown), name).toBe(true);
      for (const issue of (thrown as InvalidSpecError).issues) {
        expect(issue.problem, `${name}: ${issue.path}`).not.toBe('');
        expect(issue.allowed, `${name}: ${issue.path}`).not.toBe('');
      }
    }
  });

  it('prepares only system containers for a profile', () => {
    expect(findSpecIssues({ ...base, docker: 'isolated', profile: 'kubernetes-node' })).toEqual([]);
    // A node image with its own init and container runtime (kind's) has no inner Docker daemon.
    expect(findSpecIssues({ ...base, profile: 'kubernetes-node' })).toEqual([]);
    expect(findSpecIssues({ ...base, docker: 'shared', profile: 'kubernetes-node' })).toEqual([
      {
        path: 'profile',
        problem:
          'a "kubernetes-node" sandbox is a system container, but docker is "shared" (sibling containers)',
        allowed:
          'docker: "isolated" (with sandkit\'s inner Docker daemon) or "none" (the image brings its own init and container runtime)',
      },
    ]);
    expect(paths({ ...base, docker: 'isolated', profile: 'k3s' })).toEqual(['profile']);
  });

  it('names the field, the problem and what is allowed', () => {
    expect(findSpecIssues({ image: 'busybox', docker: 'root' as never })).toEqual([
      { path: 'docker', problem: 'unknown value "root"', allowed: '"none", "shared", "isolated"' },
    ]);
    expect(findSpecIssues({ ...base, resources: { memory: 1 << 30 } } as never)).toEqual([
      { path: 'resources.memory', problem: 'unknown key', allowed: 'only the keys cpus, memoryBytes, pids' },
    ]);
  });

  it('reports every problem at once, not only the first', () => {
    expect(
      paths({
        image: 'Not A Ref',
        cmd: 'echo hi',
        env: { 'A=B': 'x', C: 3 },
        labels: { 'dev.sandkit.session': 'forged' },
        workdir: 'relative',
        resources: { cpus: 0, memoryBytes: 1024, pids: -1, memory: 1 },
        ports: [0, { container: 70000 }, { container: 80, protocol: 'sctp' }],
        files: [{ path: 'rel', content: 5, mode: 0o17777 }],
        ttlMs: -5,
        pull: 'sometimes',
        extra: true,
      }),
    ).toEqual([
      'extra',
      'image',
      'cmd',
      'env.A=B',
      'env.C',
      'labels.dev.sandkit.session',
      'workdir',
      'resources.memory',
      'resources.cpus',
      'resources.memoryBytes',
      'resources.pids',
      'ports[0]',
      'ports[1].container',
      'ports[2].protocol',
      'files[0].path',
      'files[0].content',
      'files[0].mode',
      'pull',
      'ttlMs',
    ]);
  });

  it('adds the runtime’s own problems, and only for a spec that is an object', () => {
    const error = (() => {
      try {
        assertValidSpec({ image: '', docker: 'none', env: { SYSBOX_X: '1' } }, sysbox());
      } catch (e) {
        return e as InvalidSpecError;
      }
    })();
    expect(error?.runtime).toBe('sysbox');
    expect(error?.issues.map((i) => i.path)).toEqual(['image', 'docker', 'env.SYSBOX_X']);
    expect(error?.message).toContain('Invalid sandbox spec (3 problems); nothing was created');
    expect(error?.message).toMatch(/ {2}- docker: .+ \(allowed: "isolated" here/);
    expect(() => assertValidSpec(null as never, sysbox())).toThrow(InvalidSpecError);
  });

  it('is an InvalidArgumentError, so one class catches every rejected input', () => {
    expect(() => assertValidSpec({} as never)).toThrow(InvalidArgumentError);
  });
});

describe('a malformed spec never reaches the engine', () => {
  it.each([
    ['the socket runtime', () => socket],
    ['the sysbox runtime', () => sysbox],
  ])('%s rejects every generated case without a single engine call', async (_name, factory) => {
    const { engine, calls } = recordingEngine();
    const runtime = factory()({ engine, allowInsecure: true });
    for (const [name, spec] of CASES) {
      const error = await runtime.create(spec as SandboxSpec).catch((e: unknown) => e);
      expect(InvalidSpecError.is(error), name).toBe(true);
    }
    expect(calls).toEqual([]);
  });

  it('Sandkit rejects them before probing, queueing or sweeping', async () => {
    const { engine, calls } = recordingEngine();
    const untouchable = {
      name: 'untouchable',
      probe: () => Promise.reject(new Error('probed')),
      validate: () => {
        throw new Error('validated');
      },
      create: () => Promise.reject(new Error('created')),
      engine: async () => engine,
    };
    const sk = new Sandkit({ runtimes: [untouchable], watchdog: false });
    for (const [name, spec] of CASES) {
      const error = await sk.create(spec as SandboxSpec).catch((e: unknown) => e);
      expect(InvalidSpecError.is(error), name).toBe(true);
    }
    expect(calls).toEqual([]);
    await sk.close();
    expect(calls).toEqual([]);
  });
});
