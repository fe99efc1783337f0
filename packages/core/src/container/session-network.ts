import type { Engine } from '../engine/engine.js';
import { ignoreMissing } from '../engine/sweep-by-label.js';
import type { Session } from '../labels/sandkit-labels.js';
import { LABEL } from '../labels/sandkit-labels.js';

interface Entry {
  users: number;
  /** Serialises create/remove so a sandbox never joins a network being removed. */
  queue: Promise<unknown>;
}

const entries = new WeakMap<Engine, Map<string, Entry>>();

/** Name of the bridge network a session's sandboxes share on an engine. */
export function sessionNetworkName(session: Session): string {
  return `sandkit-${session.id}`;
}

/**
 * Joins the session's own bridge network, creating it on first use, and
 * returns its name and a release function that removes it after its last user.
 *
 * One network per session, not per sandbox: the engine's default address pools
 * hold only about thirty bridge networks. Inter-container traffic is disabled
 * on it (`enable_icc=false`), so sandboxes still cannot reach one another.
 * It never uses the engine's default `docker0` bridge.
 */
export async function joinSessionNetwork(
  engine: Engine,
  session: Session,
  runtime: string,
): Promise<{ name: string; release: () => Promise<void> }> {
  const name = sessionNetworkName(session);
  const byName = entries.get(engine) ?? new Map<string, Entry>();
  entries.set(engine, byName);
  const current = byName.get(name) ?? { users: 0, queue: Promise.resolve() };
  byName.set(name, current);
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = current.queue.then(work, work);
    current.queue = next.catch(() => {});
    return next;
  };

  await serial(async () => {
    if (current.users === 0) await ensureNetwork(engine, name, session, runtime);
    current.users++;
  });
  let released = false;
  return {
    name,
    release: () =>
      serial(async () => {
        if (released) return;
        released = true;
        current.users--;
        if (current.users === 0) {
          await ignoreMissing(engine.docker.getNetwork(name).remove()).catch(() => {
            // Still in use by a sandbox another process of this session created: the session sweep removes it.
          });
        }
      }),
  };
}

async function ensureNetwork(engine: Engine, name: string, session: Session, runtime: string): Promise<void> {
  try {
    await engine.docker.getNetwork(name).inspect();
    return;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  try {
    await engine.docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: {
        [LABEL.managed]: 'true',
        [LABEL.session]: session.id,
        [LABEL.runtime]: runtime,
        [LABEL.owner]: session.owner,
      },
      Options: { 'com.docker.network.bridge.enable_icc': 'false' },
    });
  } catch (error) {
    // Another process of the same session created it first.
    if ((error as { statusCode?: number }).statusCode !== 409) throw error;
  }
}
