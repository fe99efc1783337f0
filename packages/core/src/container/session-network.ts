import type { Engine } from '../engine/engine.js';
import { ignoreMissing } from '../engine/sweep-by-label.js';
import type { Session } from '../labels/sandkit-labels.js';
import { LABEL } from '../labels/sandkit-labels.js';

interface Entry {
  engine: Engine;
  users: number;
  /** The network's id while it has users (or while its session keeps it). */
  id?: string | undefined;
  /** Serialises create/remove so a sandbox never joins a network being removed. */
  queue: Promise<unknown>;
}

/**
 * Per engine address, not per connection: runtimes of one process that each
 * connected on their own still share one session network and its serialisation.
 */
const entries = new Map<string, Map<string, Entry>>();

/** Sessions whose network stays between sandboxes (an orchestrator's), until released. */
const kept = new Set<string>();

/**
 * Keeps the session's networks when their last sandbox goes, so a session that
 * makes sandboxes one after another creates and removes its network once, not
 * once per sandbox (an engine spends ~70 ms creating a bridge and ~150 ms
 * removing it). {@link releaseSessionNetworks} ends it; a session sweep (the
 * watchdog's, `gc`) removes the network like any other object of the session.
 */
export function keepSessionNetworks(session: Session): void {
  kept.add(session.id);
}

/** Stops keeping the session's networks, and removes those no sandbox uses. */
export async function releaseSessionNetworks(session: Session): Promise<void> {
  kept.delete(session.id);
  const name = sessionNetworkName(session);
  await Promise.all(
    [...entries.values()].map(async (byName) => {
      const entry = byName.get(name);
      if (!entry) return;
      await serially(entry, async () => {
        if (entry.users === 0 && entry.id) {
          await removeUnused(entry.engine, entry.id);
          entry.id = undefined;
        }
      });
    }),
  );
}

/** Runs `work` after everything queued on the entry before it (joins, releases), whatever their outcome. */
function serially<T>(entry: Entry, work: () => Promise<T>): Promise<T> {
  const next = entry.queue.then(work, work);
  entry.queue = next.catch(() => {});
  return next;
}

async function removeUnused(engine: Engine, id: string): Promise<void> {
  await ignoreMissing(engine.docker.getNetwork(id).remove()).catch(() => {
    // Still in use by a sandbox another process of this session created: the session sweep removes it.
  });
}

/** Name of the bridge network a session's sandboxes share on an engine. */
export function sessionNetworkName(session: Session): string {
  return `sandkit-${session.id}`;
}

/**
 * Joins the session's own bridge network, creating it on first use, and
 * returns its id (containers join by id: the engine allows several networks of
 * one name, and refuses an ambiguous name) and a release function that removes
 * it after its last user (unless the session keeps it: {@link keepSessionNetworks}).
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
): Promise<{ id: string; release: () => Promise<void> }> {
  const name = sessionNetworkName(session);
  const byName = entries.get(engine.address) ?? new Map<string, Entry>();
  entries.set(engine.address, byName);
  const current = byName.get(name) ?? { engine, users: 0, queue: Promise.resolve() };
  byName.set(name, current);
  const id = await serially(current, async () => {
    if (current.users === 0 || !current.id) current.id = await ensureNetwork(engine, name, session, runtime);
    current.users++;
    return current.id;
  });
  let released = false;
  return {
    id,
    release: () =>
      serially(current, async () => {
        if (released) return;
        released = true;
        current.users--;
        if (current.users === 0 && !kept.has(session.id)) {
          await removeUnused(engine, id);
          current.id = undefined;
        }
      }),
  };
}

/** The session's networks of that name, oldest first (ties broken by id, so every process picks the same). */
async function sessionNetworks(engine: Engine, name: string, session: Session) {
  const found = await engine.docker.listNetworks({
    filters: JSON.stringify({ name: [name], label: [`${LABEL.session}=${session.id}`] }),
  });
  return found
    .filter((network) => network.Name === name)
    .sort((a, b) => a.Created.localeCompare(b.Created) || a.Id.localeCompare(b.Id));
}

/**
 * The id of the session's network, created if there is none. Processes of one
 * session may race to create it and the engine can accept both creates, so
 * after creating, every process settles on the same one (the oldest) and
 * removes the one it made if that lost.
 */
async function ensureNetwork(
  engine: Engine,
  name: string,
  session: Session,
  runtime: string,
): Promise<string> {
  const existing = await sessionNetworks(engine, name, session);
  if (existing[0]) return existing[0].Id;
  let created: string | undefined;
  try {
    const network = await engine.docker.createNetwork({
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
    created = network.id;
  } catch (error) {
    // Another process of the same session created it first.
    if ((error as { statusCode?: number }).statusCode !== 409) throw error;
  }
  const [winner] = await sessionNetworks(engine, name, session);
  if (!winner) throw new Error(`the session network ${name} disappeared while it was being created`);
  if (created && created !== winner.Id) {
    await ignoreMissing(engine.docker.getNetwork(created).remove()).catch(() => {
      // Already joined by a racing create of our own session: the session sweep removes it.
    });
  }
  return winner.Id;
}
