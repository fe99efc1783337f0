import { hostname } from 'node:os';

/** Every label sandkit sets starts with this; user labels may not. */
export const RESERVED_LABEL_PREFIX = 'dev.sandkit.';

/** The labels sandkit puts on every container, network and volume it creates. */
export const LABEL = {
  /** Marks an object as sandkit's (value `true`). */
  managed: 'dev.sandkit.managed',
  /** The session (one per process or `Sandkit` instance) that created it. */
  session: 'dev.sandkit.session',
  /** The sandbox it belongs to. */
  sandbox: 'dev.sandkit.sandbox',
  /** The runtime (backend) that created it. */
  runtime: 'dev.sandkit.runtime',
  /** `host:pid` of the process that owns the session. */
  owner: 'dev.sandkit.owner',
  /** Expiry as milliseconds since the epoch; absent when there is none. */
  expiresAt: 'dev.sandkit.expires-at',
} as const;

/** Identity of the set of sandboxes one owner creates; everything it creates is labelled with it. */
export interface Session {
  /** uuid v7. */
  id: string;
  /** `host:pid` of the owning process. */
  owner: string;
}

/** Labels for one object of a sandbox. */
export function sandboxLabels(options: {
  session: Session;
  sandboxId: string;
  runtime: string;
  expiresAt?: number | undefined;
  extra?: Record<string, string> | undefined;
}): Record<string, string> {
  return {
    ...options.extra,
    [LABEL.managed]: 'true',
    [LABEL.session]: options.session.id,
    [LABEL.sandbox]: options.sandboxId,
    [LABEL.runtime]: options.runtime,
    [LABEL.owner]: options.session.owner,
    ...(options.expiresAt !== undefined ? { [LABEL.expiresAt]: String(options.expiresAt) } : {}),
  };
}

/** `host:pid` of this process. */
export function currentOwner(): string {
  return `${hostname()}:${process.pid}`;
}
