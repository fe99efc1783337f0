import { Readable } from 'node:stream';
import { createSession, InvalidArgumentError, type Sandbox, type SandboxSpec, Sandkit } from '@sandkit/core';
import { ContainerSandbox } from '@sandkit/core/runtime';
import { socket } from '@sandkit/runtime-socket';
import { sysbox } from '@sandkit/runtime-sysbox';
import { describe, expect, it } from 'vitest';
import { recordingEngine } from '../support/recording-engine.js';

/** A sandbox on an engine that records every use: a rejected call must leave `calls` empty. */
function sandboxOnRecordingEngine(): { sb: Sandbox; calls: string[] } {
  const { engine, calls } = recordingEngine();
  const sb = new ContainerSandbox({
    engine,
    id: '0190a4e2-0000-7000-8000-000000000000',
    runtime: 'socket',
    containerId: 'c0ffee',
    image: 'busybox',
    teardown: async () => {},
  });
  return { sb, calls };
}

type Call = [name: string, call: (sb: Sandbox) => Promise<unknown>, paths: string[]];

const CALLS: Call[] = [
  ['exec a string', (sb) => sb.exec('echo hi' as never), ['command']],
  ['exec an empty command', (sb) => sb.exec([]), ['command']],
  ['exec a number argument', (sb) => sb.exec(['sleep', 5 as never]), ['command[1]']],
  ['exec a NUL in an argument', (sb) => sb.exec(['echo', 'a\0b']), ['command[1]']],
  ['exec timeoutMs -1', (sb) => sb.exec(['sleep', '300'], { timeoutMs: -1 }), ['options.timeoutMs']],
  ['exec timeoutMs NaN', (sb) => sb.exec(['sleep', '300'], { timeoutMs: Number.NaN }), ['options.timeoutMs']],
  [
    'exec timeoutMs Infinity',
    (sb) => sb.exec(['sleep', '300'], { timeoutMs: Number.POSITIVE_INFINITY }),
    ['options.timeoutMs'],
  ],
  [
    'exec timeoutMs past a timer’s range',
    (sb) => sb.exec(['true'], { timeoutMs: 2 ** 31 }),
    ['options.timeoutMs'],
  ],
  [
    'exec a non-AbortSignal signal',
    (sb) => sb.exec(['sleep', '300'], { signal: {} as never }),
    ['options.signal'],
  ],
  ['exec numeric stdin', (sb) => sb.exec(['cat'], { stdin: 5 as never }), ['options.stdin']],
  ['exec env not an object', (sb) => sb.exec(['true'], { env: 'A=1' as never }), ['options.env']],
  ['exec env a number value', (sb) => sb.exec(['true'], { env: { A: 1 as never } }), ['options.env.A']],
  ['exec env a name with =', (sb) => sb.exec(['true'], { env: { 'A=B': '1' } }), ['options.env.A=B']],
  ['exec relative cwd', (sb) => sb.exec(['true'], { cwd: 'tmp' }), ['options.cwd']],
  ['exec numeric user', (sb) => sb.exec(['true'], { user: 0 as never }), ['options.user']],
  ['exec maxBuffer 0', (sb) => sb.exec(['true'], { maxBuffer: 0 }), ['options.maxBuffer']],
  ['exec maxBuffer -1', (sb) => sb.exec(['true'], { maxBuffer: -1 }), ['options.maxBuffer']],
  ['exec reject "no"', (sb) => sb.exec(['true'], { reject: 'no' as never }), ['options.reject']],
  ['exec an unknown option', (sb) => sb.exec(['true'], { timeout: 5 } as never), ['options.timeout']],
  ['exec options not an object', (sb) => sb.exec(['true'], 5 as never), ['options']],
  [
    'exec every problem at once',
    (sb) => sb.exec(['x', 1 as never], { timeoutMs: -1, cwd: 'x', signal: 1 as never }),
    ['command[1]', 'options.cwd', 'options.timeoutMs', 'options.signal'],
  ],
  ['execStream a string', (sb) => sb.execStream('echo hi' as never), ['command']],
  [
    'execStream timeoutMs NaN',
    (sb) => sb.execStream(['true'], { timeoutMs: Number.NaN }),
    ['options.timeoutMs'],
  ],
  [
    'execStream stdin (it has a stream of its own)',
    (sb) => sb.execStream(['true'], { stdin: 'x' } as never),
    ['options.stdin'],
  ],
  ['putArchive a number', (sb) => sb.putArchive(5 as never, '/tmp'), ['tar']],
  ['putArchive a relative directory', (sb) => sb.putArchive(Readable.from([]), 'tmp'), ['sandboxDir']],
  ['writeFiles mode -1', (sb) => sb.writeFiles([{ path: '/a', content: 'x', mode: -1 }]), ['files[0].mode']],
  [
    'writeFiles a setuid mode',
    (sb) => sb.writeFiles([{ path: '/a', content: 'x', mode: 0o4755 }]),
    ['files[0].mode'],
  ],
  ['writeFiles NUL in a path', (sb) => sb.writeFiles([{ path: '/a\0b', content: 'x' }]), ['files[0].path']],
  ['writeFiles a relative path', (sb) => sb.writeFiles([{ path: 'a', content: 'x' }]), ['files[0].path']],
  ['writeFiles uid -1', (sb) => sb.writeFiles([{ path: '/a', content: 'x', uid: -1 }]), ['files[0].uid']],
  ['writeFiles not an array', (sb) => sb.writeFiles({ path: '/a', content: 'x' } as never), ['files']],
  ['readFile a relative path', (sb) => sb.readFile('etc/passwd'), ['path']],
  ['readFile a number', (sb) => sb.readFile(5 as never), ['path']],
  ['readFile timeoutMs 0', (sb) => sb.readFile('/etc/passwd', { timeoutMs: 0 }), ['options.timeoutMs']],
  [
    'readFile a non-AbortSignal signal',
    (sb) => sb.readFile('/etc/passwd', { signal: 'x' as never }),
    ['options.signal'],
  ],
  ['getArchive NUL in a path', (sb) => sb.getArchive('/etc\0'), ['path']],
  ['copyDirectoryIn no host directory', (sb) => sb.copyDirectoryIn('', '/tmp'), ['hostDir']],
  ['copyDirectoryIn a relative sandbox directory', (sb) => sb.copyDirectoryIn('/tmp', 'x'), ['sandboxDir']],
  [
    'copyDirectoryOut a relative sandbox directory',
    (sb) => sb.copyDirectoryOut('x', '/tmp/out'),
    ['sandboxDir'],
  ],
  ['copyDirectoryOut a number host directory', (sb) => sb.copyDirectoryOut('/x', 5 as never), ['hostDir']],
  ['destroy a negative grace period', (sb) => sb.destroy({ gracePeriodMs: -1 }), ['options.gracePeriodMs']],
];

describe('sandbox call arguments are checked before anything starts', () => {
  it.each(CALLS)('%s: InvalidArgumentError, no engine call', async (_name, call, paths) => {
    const { sb, calls } = sandboxOnRecordingEngine();
    const error = await call(sb).catch((e: unknown) => e);
    expect(InvalidArgumentError.is(error)).toBe(true);
    expect((error as InvalidArgumentError).issues.map((i) => i.path)).toEqual(paths);
    for (const issue of (error as InvalidArgumentError).issues) expect(issue.allowed).not.toBe('');
    expect((error as InvalidArgumentError).sandboxId).toBe(sb.id);
    expect(calls).toEqual([]);
  });

  it('a rejected destroy() leaves the sandbox usable', async () => {
    const { sb } = sandboxOnRecordingEngine();
    await expect(sb.destroy({ gracePeriodMs: -1 })).rejects.toThrow(InvalidArgumentError);
    // Still alive: the next call reaches the engine (which this one refuses to serve).
    await expect(sb.exec(['true'])).rejects.toThrow(/engine touched/);
  });
});

describe('create options and sessions are checked before anything starts', () => {
  const spec: SandboxSpec = { image: 'busybox' };
  const badSession = { id: '../../x', owner: 'host:1:1' };

  it.each([
    ['timeoutMs -1', { timeoutMs: -1 }, ['options.timeoutMs']],
    ['timeoutMs NaN', { timeoutMs: Number.NaN }, ['options.timeoutMs']],
    ['a non-AbortSignal signal', { signal: 'x' }, ['options.signal']],
    ['a session id with path characters', { session: badSession }, ['options.session.id']],
    ['a session without owner', { session: { id: 'abc' } }, ['options.session.owner']],
    ['an unknown option', { timeout: 5 }, ['options.timeout']],
  ])('runtime.create with %s: InvalidArgumentError, no engine call', async (_name, options, paths) => {
    const { engine, calls } = recordingEngine();
    const error = await socket({ engine })
      .create(spec, options as never)
      .catch((e: unknown) => e);
    expect(InvalidArgumentError.is(error)).toBe(true);
    expect((error as InvalidArgumentError).issues.map((i) => i.path)).toEqual(paths);
    expect(calls).toEqual([]);
  });

  it('Sandkit.create checks its own options before it probes or sweeps', async () => {
    const { engine, calls } = recordingEngine();
    const sk = new Sandkit({ runtimes: [socket({ engine })], watchdog: false });
    const error = await sk
      .create(spec, { priority: Number.NaN, session: createSession() } as never)
      .catch((e: unknown) => e);
    expect(InvalidArgumentError.is(error)).toBe(true);
    expect((error as InvalidArgumentError).issues.map((i) => i.path)).toEqual([
      'options.session',
      'options.priority',
    ]);
    expect(calls).toEqual([]);
  });

  it('runtimes and Sandkit refuse a malformed session when constructed', () => {
    expect(() => socket({ session: badSession })).toThrow(InvalidArgumentError);
    expect(() => sysbox({ session: badSession })).toThrow(InvalidArgumentError);
    expect(() => new Sandkit({ runtimes: [socket()], session: badSession })).toThrow(InvalidArgumentError);
  });
});
