import { assertValidSpec, findSpecIssues, InvalidSpecError, type SandboxSpec } from '@sandkit/core';
import { describe, expect, it } from 'vitest';

const paths = (spec: unknown) => findSpecIssues(spec as SandboxSpec).map((i) => i.path);

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
        ports: [80, { container: 53, protocol: 'udp' }],
        files: [{ path: '/etc/app.conf', content: 'x', mode: 0o600 }],
        docker: 'isolated',
        seed: { images: ['postgres:16'], strategy: 'clone' },
        ttlMs: 60_000,
        readiness: { log: /ready/, times: 2 },
        pull: 'never',
      }),
    ).toEqual([]);
  });

  it('names the field, the problem and what is allowed', () => {
    const [issue] = findSpecIssues({ image: 'busybox', docker: 'root' as never });
    expect(issue).toEqual({
      path: 'docker',
      problem: 'unknown value "root"',
      allowed: '"none", "shared", "isolated"',
    });
  });

  it('reports every problem at once, not only the first', () => {
    expect(
      paths({
        image: 'Not A Ref',
        cmd: 'echo hi',
        env: { 'A=B': 'x', C: 3 },
        labels: { 'dev.sandkit.session': 'forged' },
        workdir: 'relative',
        resources: { cpus: 0, memoryBytes: 1024, pids: -1 },
        ports: [0, { container: 70000 }, { container: 80, protocol: 'sctp' }],
        files: [{ path: 'rel', content: 5, mode: 0o17777 }],
        ttlMs: -5,
        pull: 'sometimes',
      }),
    ).toEqual([
      'image',
      'cmd',
      'env.A=B',
      'env.C',
      'labels.dev.sandkit.session',
      'workdir',
      'resources.cpus',
      'resources.memoryBytes',
      'resources.pids',
      'ports[0]',
      'ports[1]',
      'ports[2].protocol',
      'files[0].path',
      'files[0].content',
      'files[0].mode',
      'pull',
      'ttlMs',
    ]);
  });

  it('rejects a seed unless the sandbox has its own daemon', () => {
    const issues = findSpecIssues({ image: 'busybox', seed: { images: ['redis:7'] } });
    expect(issues).toEqual([
      {
        path: 'seed',
        problem: 'seeding needs its own inner daemon, but docker is "none"',
        allowed: 'set docker: "isolated"',
      },
    ]);
    expect(paths({ image: 'x', docker: 'isolated', seed: { images: [], strategy: 'copy' } })).toEqual([
      'seed.images',
      'seed.strategy',
    ]);
  });

  it('wants exactly one readiness condition', () => {
    expect(paths({ image: 'x', readiness: { exec: ['true'], port: 80 } })).toEqual(['readiness']);
    expect(paths({ image: 'x', readiness: {} })).toEqual(['readiness']);
    expect(paths({ image: 'x', readiness: { port: 0 } })).toEqual(['readiness.port']);
    expect(paths({ image: 'x', readiness: { exec: [] } })).toEqual(['readiness.exec']);
  });

  it('rejects a spec that is not an object', () => {
    expect(paths(undefined)).toEqual(['(spec)']);
  });

  it('throws InvalidSpecError whose message lists the problems', () => {
    const attempt = () => assertValidSpec({ image: '' }, [{ path: 'docker', problem: 'not here' }], 'socket');
    expect(attempt).toThrow(InvalidSpecError);
    try {
      attempt();
    } catch (error) {
      expect(InvalidSpecError.is(error)).toBe(true);
      const e = error as InvalidSpecError;
      expect(e.runtime).toBe('socket');
      expect(e.issues.map((i) => i.path)).toEqual(['image', 'docker']);
      expect(e.message).toContain('Invalid sandbox spec (2 problems); nothing was created');
      expect(e.message).toContain('  - docker: not here');
    }
  });
});
