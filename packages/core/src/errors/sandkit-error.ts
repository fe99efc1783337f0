const BRAND = Symbol.for('dev.sandkit.error');

/** What every sandkit error can say about where it happened. */
export interface SandkitErrorContext {
  /** Name of the runtime (backend) involved, e.g. `socket` or `sysbox`. */
  runtime?: string;
  /** The sandbox id (uuid v7), when a sandbox was involved. */
  sandboxId?: string;
  /** The engine container id, when a container existed. */
  containerId?: string;
  /** The image the sandbox was created from. */
  image?: string;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * Base class of every error sandkit throws.
 *
 * Modelled on execa: `shortMessage` is the one-line summary, `message` adds the
 * details a person needs to act (what to do next, a log tail), and the context
 * fields say where it happened. Use {@link isSandkitError} or each class's
 * static `is()` rather than `instanceof` when errors may cross realms or
 * duplicated package copies.
 */
export class SandkitError extends Error {
  /** Stable machine-readable code, e.g. `SANDKIT_INVALID_SPEC`. */
  readonly code: string;
  /** One-line summary without details. */
  readonly shortMessage: string;
  readonly runtime: string | undefined;
  readonly sandboxId: string | undefined;
  readonly containerId: string | undefined;
  readonly image: string | undefined;

  static readonly code: string = 'SANDKIT_ERROR';

  constructor(shortMessage: string, context: SandkitErrorContext = {}, details?: string) {
    super(details ? `${shortMessage}\n${details}` : shortMessage, { cause: context.cause });
    this.code = (new.target as typeof SandkitError).code;
    this.name = new.target.name;
    this.shortMessage = shortMessage;
    this.runtime = context.runtime;
    this.sandboxId = context.sandboxId;
    this.containerId = context.containerId;
    this.image = context.image;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** Realm-safe check that `error` is this class (or a subclass of it). */
  static is<T extends SandkitError>(this: abstract new (...args: never[]) => T, error: unknown): error is T {
    if (!isSandkitError(error)) return false;
    const code = (this as unknown as { code: string }).code;
    if (code === SandkitError.code) return true;
    // Walk the prototype chain by code so duplicated copies of the package still match.
    let proto: unknown = Object.getPrototypeOf(error);
    while (proto && proto !== Object.prototype) {
      const ctor = (proto as { constructor?: { code?: string } }).constructor;
      if (ctor?.code === code) return true;
      proto = Object.getPrototypeOf(proto);
    }
    return false;
  }
}

/** Realm-safe check that `error` was thrown by sandkit. */
export function isSandkitError(error: unknown): error is SandkitError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}
