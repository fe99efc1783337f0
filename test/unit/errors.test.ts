import {
  CancelledError,
  ExecFailedError,
  ExecTimedOutError,
  InvalidSpecError,
  isSandkitError,
  SandkitError,
  StartFailedError,
} from '@sandkit/core';
import { describe, expect, it } from 'vitest';

const result = {
  command: ['sh', '-c', "echo 'hi'"],
  exitCode: 3,
  stdout: 'out\n',
  stderr: 'boom\n',
  durationMs: 5,
};

describe('errors', () => {
  it('carry where they happened, a code and a short message', () => {
    const error = new ExecFailedError({
      runtime: 'socket',
      sandboxId: 's1',
      containerId: 'c1',
      image: 'busybox',
      result,
    });
    expect(error).toBeInstanceOf(SandkitError);
    expect(error.name).toBe('ExecFailedError');
    expect(error.code).toBe('SANDKIT_EXEC_FAILED');
    expect(error.shortMessage).toBe(`Command failed with exit code 3: sh -c 'echo '\\''hi'\\'''`);
    expect(error.message).toContain('stderr:\nboom');
    expect([error.runtime, error.sandboxId, error.containerId, error.image]).toEqual([
      'socket',
      's1',
      'c1',
      'busybox',
    ]);
    expect(error.result).toBe(result);
  });

  it('are recognised without instanceof, as errors from another copy of the package would be', () => {
    const error = new ExecTimedOutError(100, { result });
    const foreign = Object.setPrototypeOf({ ...error }, Object.getPrototypeOf(error));
    expect(isSandkitError(error)).toBe(true);
    expect(isSandkitError(new Error('x'))).toBe(false);
    expect(isSandkitError(null)).toBe(false);
    expect(ExecTimedOutError.is(error)).toBe(true);
    expect(SandkitError.is(error)).toBe(true);
    expect(ExecFailedError.is(error)).toBe(false);
    expect(InvalidSpecError.is(error)).toBe(false);
    expect(isSandkitError(foreign)).toBe(false);
  });

  it('keep the cause', () => {
    const cause = new Error('engine said no');
    expect(new SandkitError('x', { cause }).cause).toBe(cause);
  });

  it('show the container log tail when a start fails', () => {
    const error = new StartFailedError('main process exited', { logTail: 'line 1\nline 2\n' });
    expect(error.logTail).toBe('line 1\nline 2\n');
    expect(error.message).toBe('main process exited\nLast container log lines:\n  | line 1\n  | line 2');
  });

  it('tell a timeout from a cancellation', () => {
    const timeout = new DOMException('timed out', 'TimeoutError');
    const abort = new DOMException('aborted', 'AbortError');
    expect(new CancelledError('create', timeout, { phase: 'pulling x' }).shortMessage).toBe(
      'create timed out while pulling x',
    );
    expect(new CancelledError('create', abort).timedOut).toBe(false);
  });
});
