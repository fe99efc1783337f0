import {
  EngineRequestError,
  EngineUnreachableError,
  ExecFailedError,
  SandboxNotRunningError,
} from '@sandkit/core';
import { toSandkitError } from '@sandkit/core/runtime';
import { describe, expect, it } from 'vitest';

const engine = { address: 'unix:///var/run/docker.sock', source: 'default socket' };
const context = { runtime: 'socket', sandboxId: 's1', containerId: 'c1', image: 'busybox' };

/** An error shaped as docker-modem makes them for an engine's HTTP error answer. */
function httpError(statusCode: number, reason: string, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) ${reason} - ${message} `), {
    statusCode,
    reason,
    json: { message },
  });
}

/** An error shaped as Node's net module makes them. */
function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code, syscall: 'connect' });
}

describe('engine failures become sandkit errors', () => {
  it.each(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE'])(
    '%s: EngineUnreachableError naming the engine, with the cause and where it happened',
    (code) => {
      const cause = socketError(code);
      const error = toSandkitError(cause, 'run a command in the sandbox', engine, context);
      expect(EngineUnreachableError.is(error)).toBe(true);
      expect(error).toMatchObject({ ...context, cause });
      expect((error as EngineUnreachableError).attempts).toEqual([
        { source: 'default socket', address: engine.address, reason: cause.message },
      ]);
      expect(error.message).toContain('while sandkit tried to run a command in the sandbox');
    },
  );

  it('a host file error with the same code is not mistaken for an unreachable engine', () => {
    const hostFile = Object.assign(new Error("ENOENT: no such file or directory, lstat '/x'"), {
      code: 'ENOENT',
      syscall: 'lstat',
    });
    expect(EngineUnreachableError.is(toSandkitError(hostFile, 'x', engine, context))).toBe(false);
  });

  it('409 "is not running": SandboxNotRunningError with the engine’s message', () => {
    const cause = httpError(409, 'container stopped/paused', 'Container c1 is not running');
    const error = toSandkitError(cause, 'run a command in the sandbox', engine, context);
    expect(SandboxNotRunningError.is(error)).toBe(true);
    expect(error.shortMessage).toBe(
      'Cannot run a command in the sandbox: the sandbox container is not running',
    );
    expect(error.message).toContain('engine said: Container c1 is not running');
    expect(error).toMatchObject({ ...context, cause });
  });

  it('404 for the container itself: SandboxNotRunningError; 404 for a path in it: not', () => {
    const gone = httpError(404, 'no such container', 'No such container: c1');
    expect(SandboxNotRunningError.is(toSandkitError(gone, 'x', engine, context))).toBe(true);
    // docker-modem's reason says "no such container" for every 404; the engine's message tells.
    const missingPath = httpError(404, 'no such container', 'Could not find the file /nope in container c1');
    const error = toSandkitError(missingPath, 'copy /nope out of the sandbox', engine, context);
    expect(EngineRequestError.is(error)).toBe(true);
    expect((error as EngineRequestError).statusCode).toBe(404);
  });

  it.each([
    [400, 'bad parameter', 'No exec command specified'],
    [500, 'server error', 'extraction point is not a directory'],
  ])('%i: EngineRequestError with the status and the engine’s message', (status, reason, message) => {
    const cause = httpError(status, reason, message);
    const error = toSandkitError(cause, 'run a command in the sandbox', engine, context);
    expect(EngineRequestError.is(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: status, engineMessage: message, cause, ...context });
    expect(error.message).toBe(`Could not run a command in the sandbox\nengine said (${status}): ${message}`);
  });

  it('anything else keeps its message; sandkit errors pass through unchanged', () => {
    const plain = toSandkitError(new Error('socket hang up'), 'x', engine, context);
    expect(EngineRequestError.is(plain)).toBe(true);
    expect((plain as EngineRequestError).engineMessage).toBe('socket hang up');
    const own = new ExecFailedError({
      ...context,
      result: { command: ['x'], exitCode: 1, stdout: '', stderr: '', durationMs: 1 },
    });
    expect(toSandkitError(own, 'x', engine, context)).toBe(own);
  });
});
