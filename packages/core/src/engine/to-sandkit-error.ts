import { EngineRequestError } from '../errors/engine-request-error.js';
import { EngineUnreachableError } from '../errors/engine-unreachable-error.js';
import { SandboxNotRunningError } from '../errors/sandbox-not-running-error.js';
import { SandkitError, type SandkitErrorContext } from '../errors/sandkit-error.js';
import type { Engine } from './engine.js';

/** Socket errors that mean the engine itself cannot be reached (not that it refused the call). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOENT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Turns whatever an engine call threw (dockerode's HTTP errors, socket errors)
 * into a sandkit error with the engine's message and the original as `cause`:
 * {@link EngineUnreachableError} when the engine does not answer,
 * {@link SandboxNotRunningError} when it refuses because the container is not
 * running, {@link EngineRequestError} for any other refusal. Sandkit errors
 * pass through unchanged. The one mapping every engine call site uses.
 */
export function toSandkitError(
  error: unknown,
  action: string,
  engine: Pick<Engine, 'address' | 'source'>,
  context: SandkitErrorContext,
): SandkitError {
  if (SandkitError.is(error)) return error;
  const withCause = { ...context, cause: error };
  const message = engineMessage(error);
  if (isConnectionError(error)) {
    return new EngineUnreachableError(
      [{ source: engine.source, address: engine.address, reason: message }],
      `The engine stopped answering while sandkit tried to ${action}; check that it is running.`,
      withCause,
    );
  }
  const status = (error as { statusCode?: unknown })?.statusCode;
  const statusCode = typeof status === 'number' ? status : undefined;
  if (
    (statusCode === 409 && /is not running|is paused|is restarting/i.test(message)) ||
    isMissingContainer(error)
  ) {
    return new SandboxNotRunningError(action, message, withCause);
  }
  return new EngineRequestError(action, message, statusCode, withCause);
}

/** Syscalls of the connection to the engine (file system errors name others: open, lstat, …). */
const SOCKET_SYSCALLS = new Set(['connect', 'read', 'write', 'getaddrinfo']);

/** Whether `error` says the connection to the engine failed (rather than the engine refusing, or a host file). */
export function isConnectionError(error: unknown): boolean {
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  return (
    typeof code === 'string' &&
    UNREACHABLE_CODES.has(code) &&
    (syscall === undefined || SOCKET_SYSCALLS.has(String(syscall)))
  );
}

/**
 * Whether the engine answered 404 because the container itself is gone (not
 * a path inside it). Read from the engine's message, not dockerode's status
 * text, which says "no such container" for every 404 of a container route.
 */
export function isMissingContainer(error: unknown): boolean {
  return (
    (error as { statusCode?: unknown })?.statusCode === 404 &&
    /^no such container/i.test(engineMessage(error))
  );
}

/** The engine's own words: its JSON `message` when it answered, the error's message otherwise. */
function engineMessage(error: unknown): string {
  const json = (error as { json?: unknown })?.json;
  if (typeof json === 'string' && json.trim()) return json.trim();
  if (
    typeof json === 'object' &&
    json !== null &&
    typeof (json as { message?: unknown }).message === 'string'
  ) {
    return (json as { message: string }).message.trim();
  }
  if (error instanceof Error) return error.message.trim();
  return String(error);
}
