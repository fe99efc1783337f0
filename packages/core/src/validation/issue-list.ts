import { Readable } from 'node:stream';
import { InvalidArgumentError, type SpecIssue } from '../errors/invalid-argument-error.js';
import type { SandkitErrorContext } from '../errors/sandkit-error.js';

/** The longest delay a Node.js timer honours; longer ones fire after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Collects every problem found in a caller's input, each with where, what and what is allowed. */
export class IssueList {
  readonly issues: SpecIssue[] = [];

  add(path: string, problem: string, allowed: string): void {
    this.issues.push({ path, problem, allowed });
  }

  /** Throws {@link InvalidArgumentError} for `operation` when any problem was found. */
  throwIfAny(operation: string, context: SandkitErrorContext = {}): void {
    if (this.issues.length > 0) throw new InvalidArgumentError(operation, this.issues, context);
  }

  /**
   * Checks that `value` is a plain object with no keys but `keys`, reporting
   * each unknown key; returns it for further checks, or `undefined` when it is
   * not an object at all.
   */
  object(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> | undefined {
    if (!isPlainObject(value)) {
      const plain =
        typeof value === 'object' && value !== null && !Array.isArray(value) ? 'a plain object' : 'an object';
      this.add(
        path,
        `expected ${plain}, got ${describeValue(value)}`,
        `a plain object with ${keyList(keys)}`,
      );
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) this.add(join(path, key), 'unknown key', keyList(keys));
    }
    return value;
  }

  /** A value from a fixed set. */
  oneOf(value: unknown, path: string, values: readonly string[]): void {
    if (!values.includes(value as string)) {
      this.add(path, `unknown value ${describeValue(value)}`, values.map((v) => `"${v}"`).join(', '));
    }
  }

  /** An integer in `[min, max]`. */
  integer(value: unknown, path: string, min: number, max: number, allowed?: string): void {
    if (!(Number.isInteger(value) && (value as number) >= min && (value as number) <= max)) {
      this.add(
        path,
        `expected an integer ${min}-${max}, got ${describeValue(value)}`,
        allowed ?? `${min}-${max}`,
      );
    }
  }

  /** A string without NUL bytes (which the engine would truncate at). */
  text(value: unknown, path: string, allowed: string, { empty = true } = {}): value is string {
    if (typeof value !== 'string' || (!empty && value.length === 0)) {
      this.add(path, `expected a${empty ? '' : ' non-empty'} string, got ${describeValue(value)}`, allowed);
      return false;
    }
    if (value.includes('\0')) {
      this.add(path, 'contains a NUL byte', `${allowed}, without NUL bytes`);
      return false;
    }
    return true;
  }

  /** An absolute path inside the sandbox. */
  absolutePath(value: unknown, path: string): void {
    const allowed = 'an absolute path, e.g. "/tmp/data"';
    if (this.text(value, path, allowed) && !value.startsWith('/')) {
      this.add(path, `expected an absolute path, got ${describeValue(value)}`, allowed);
    }
  }

  /** A command line: a non-empty array of strings. */
  argv(value: unknown, path: string): void {
    const allowed = 'a non-empty array of strings, e.g. ["sh", "-c", "echo hi"]';
    if (!Array.isArray(value) || value.length === 0) {
      this.add(path, `expected a non-empty array of strings, got ${describeValue(value)}`, allowed);
      return;
    }
    value.forEach((arg, index) => {
      this.text(arg, `${path}[${index}]`, 'a string');
    });
  }

  /** An object of string values whose keys pass `keyProblem`. */
  stringRecord(
    value: unknown,
    path: string,
    keyRule: { problem: (key: string) => string | undefined; allowed: string },
  ): void {
    if (!isPlainObject(value)) {
      this.add(
        path,
        `expected an object of strings, got ${describeValue(value)}`,
        'e.g. { "NAME": "value" }',
      );
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      const problem = keyRule.problem(key);
      if (problem) this.add(join(path, key), problem, keyRule.allowed);
      this.text(v, join(path, key), 'a string value');
    }
  }

  /** A user to run as: name, uid, name:group or uid:gid. */
  user(value: unknown, path: string): void {
    const allowed = 'a string: name, uid, name:group or uid:gid, e.g. "1000" or "nobody"';
    if (this.text(value, path, allowed) && !/^[^:\s]+(?::[^:\s]+)?$/.test(value)) {
      this.add(path, `${describeValue(value)} is not a user`, allowed);
    }
  }

  /** Milliseconds for a timer. */
  timeoutMs(value: unknown, path: string): void {
    this.integer(value, path, 1, MAX_TIMER_MS, `an integer of milliseconds 1-${MAX_TIMER_MS}`);
  }

  /** An `AbortSignal`. */
  signal(value: unknown, path: string): void {
    if (!(value instanceof AbortSignal)) {
      this.add(
        path,
        `expected an AbortSignal, got ${describeValue(value)}`,
        'an AbortSignal, e.g. AbortSignal.timeout(5000)',
      );
    }
  }

  /** A Node.js readable stream. */
  readable(value: unknown, path: string, allowed: string): void {
    if (!(value instanceof Readable))
      this.add(path, `expected a readable stream, got ${describeValue(value)}`, allowed);
  }
}

/** `path.key`, or `key` at the top level. */
function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function keyList(keys: readonly string[]): string {
  return keys.length > 0 ? `only the keys ${keys.join(', ')}` : 'no keys';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A short description of a value for problem texts. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array (${safeJson(value).slice(0, 60)})`;
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    if (name && name !== 'Object') return `a ${name}`;
    return isPlainObject(value) ? 'an object' : 'an object with a prototype';
  }
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${String(value)}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '…';
  }
}
