import { Readable } from 'node:stream';
import { describeValue, IssueList } from './issue-list.js';

const EXEC_KEYS = ['env', 'cwd', 'user', 'timeoutMs', 'signal'];
const BUFFERED_KEYS = [...EXEC_KEYS, 'stdin', 'maxBuffer', 'reject'];
/** The largest buffer Node.js can turn into one string. */
const MAX_BUFFER = 2 ** 29 - 24;

/**
 * The problems with a command and the options of `exec` (`buffered`) or
 * `execStream`, found before anything is sent to the engine.
 */
export function findExecIssues(
  command: unknown,
  options: unknown,
  { buffered }: { buffered: boolean },
): IssueList {
  const list = new IssueList();
  if (typeof command === 'string') {
    list.add(
      'command',
      `expected an array of arguments, got the string ${describeValue(command)}`,
      'an array, e.g. ["sh", "-c", "echo hi"] for a shell line',
    );
  } else {
    list.argv(command, 'command');
  }
  const o = list.object(options, 'options', buffered ? BUFFERED_KEYS : EXEC_KEYS);
  if (!o) return list;
  if (o.env !== undefined) {
    list.stringRecord(o.env, 'options.env', {
      problem: (key) =>
        /^[^=\0]+$/.test(key) ? undefined : 'names must be non-empty and contain no "=" or NUL',
      allowed: 'a name without "=" or NUL, e.g. "PATH"',
    });
  }
  if (o.cwd !== undefined) list.absolutePath(o.cwd, 'options.cwd');
  if (o.user !== undefined) list.user(o.user, 'options.user');
  if (o.timeoutMs !== undefined) list.timeoutMs(o.timeoutMs, 'options.timeoutMs');
  if (o.signal !== undefined) list.signal(o.signal, 'options.signal');
  if (
    o.stdin !== undefined &&
    !(typeof o.stdin === 'string' || o.stdin instanceof Uint8Array || o.stdin instanceof Readable)
  ) {
    list.add(
      'options.stdin',
      `expected a string, bytes or a stream, got ${describeValue(o.stdin)}`,
      'a string, a Uint8Array/Buffer or a Readable',
    );
  }
  if (o.maxBuffer !== undefined)
    list.integer(o.maxBuffer, 'options.maxBuffer', 1, MAX_BUFFER, `an integer of bytes 1-${MAX_BUFFER}`);
  if (o.reject !== undefined && typeof o.reject !== 'boolean') {
    list.add('options.reject', `expected a boolean, got ${describeValue(o.reject)}`, 'true or false');
  }
  return list;
}
