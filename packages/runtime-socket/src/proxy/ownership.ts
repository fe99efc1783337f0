import type { Engine } from '@sandkit/core';
import { LABEL } from '@sandkit/core/runtime';
import type { ObjectKind } from './api-route.js';
import type { JobNames } from './job-names.js';

/**
 * Where an engine object stands for the job:
 * - `owned`: it carries the sandbox's label (the proxy put it there when the job created it);
 * - `sandbox`: the sandbox's own container (or an exec in it), which the job may only read;
 * - `default-network`: one of the engine's `bridge`, `host` and `none` networks, shared and read-only;
 * - `foreign`: anything else, which looks absent to the job.
 */
export type Standing = 'owned' | 'sandbox' | 'default-network' | 'foreign';

/** An object the engine resolved a name, id or id prefix to. */
export interface ResolvedObject {
  /** Its engine id (a volume's name: volumes have no other id). */
  id: string;
  standing: Standing;
}

const DEFAULT_NETWORK_NAMES = new Set(['bridge', 'host', 'none']);
const FULL_ID = /^[0-9a-f]{64}$/;
/** Names and ids as the engine spells them: never a path (`a/../b`), a query or an escape. */
const PLAIN_NAME = /^(?!\.\.?$)[^/?#%\\]+$/;

/**
 * Answers "what does this name stand for, and is it the job's?" from the
 * engine itself: every name, alias and id prefix is resolved upstream (the
 * engine's own lookup: full id, then name, then prefix) to an engine id, and
 * ownership is read from that object's labels. A name is looked up as the
 * job's private name first (see {@link JobNames.lookupOrder}), then as it is;
 * either way only the label decides. Nothing is recorded from what
 * the job asked for: remembered are the standing of full engine ids (ids are
 * never reused and labels never change), from lookups and from the engine's
 * answers to the job's creates, and the ids of the job's own names until the
 * job renames or replaces an object of that kind.
 */
export class Ownership {
  readonly #engine: Engine;
  readonly #sandboxId: string;
  readonly #sandboxContainerName: string;
  readonly #names: JobNames;
  readonly #byId = new Map<string, Standing>();
  /** Names (and id prefixes) of the job's own objects, resolved; cleared whenever the job renames or replaces one. */
  readonly #ownNames = new Map<string, ResolvedObject>();

  /**
   * @param sandboxContainerName the name of the sandbox's own container (the job's "hostname" container)
   */
  constructor(engine: Engine, sandboxId: string, sandboxContainerName: string, names: JobNames) {
    this.#engine = engine;
    this.#sandboxId = sandboxId;
    this.#sandboxContainerName = sandboxContainerName;
    this.#names = names;
  }

  /** The object `idOrName` stands for, or `undefined` when the engine has none. */
  async resolve(kind: ObjectKind, idOrName: string): Promise<ResolvedObject | undefined> {
    if (!PLAIN_NAME.test(idOrName)) return undefined;
    const key = `${kind}:${idOrName}`;
    const known = FULL_ID.test(idOrName) ? this.#byId.get(key) : undefined;
    if (known) return { id: idOrName, standing: known };
    const named = this.#ownNames.get(key);
    if (named) return named;
    let resolved: ResolvedObject | undefined;
    for (const candidate of this.#names.lookupOrder(kind, idOrName)) {
      resolved = await this.#inspect(kind, candidate);
      if (resolved) break;
    }
    if (resolved && kind !== 'volume') this.#byId.set(`${kind}:${resolved.id}`, resolved.standing);
    // Only the job's own names are kept: the proxy sends the engine the id, so a name gone stale can
    // reach at most an object that was the job's (or none), never someone else's.
    if (resolved && resolved.standing !== 'foreign' && resolved.standing !== 'default-network')
      this.#ownNames.set(key, resolved);
    return resolved;
  }

  /**
   * Records an object the engine has just created for the job (its answer's
   * full id), so that later calls addressing it by that id need no lookup.
   */
  recordCreated(kind: 'container' | 'exec', id: string): void {
    if (FULL_ID.test(id)) this.#byId.set(`${kind}:${id}`, 'owned');
  }

  /** Forgets the resolved names of a kind: the job has just created, renamed or removed one. */
  forgetNames(kind: ObjectKind): void {
    for (const key of this.#ownNames.keys()) if (key.startsWith(`${kind}:`)) this.#ownNames.delete(key);
  }

  /** The engine id of the object, when it exists and is the job's. */
  async ownedId(kind: ObjectKind, idOrName: string): Promise<string | undefined> {
    const resolved = await this.resolve(kind, idOrName);
    return resolved?.standing === 'owned' ? resolved.id : undefined;
  }

  /** Whether a volume of that engine name exists at all, whoever owns it. */
  async volumeExists(engineName: string): Promise<boolean> {
    return (await this.#inspect('volume', engineName)) !== undefined;
  }

  /** The job's name of one of its containers (by engine id): its engine name without the namespace. */
  async containerName(id: string): Promise<string> {
    const container = await this.#engine.docker.getContainer(id).inspect();
    return this.#names.jobName(container.Name.replace(/^\//, ''));
  }

  #standing(labels: Record<string, string> | null | undefined): Standing {
    return labels?.[LABEL.sandbox] === this.#sandboxId ? 'owned' : 'foreign';
  }

  async #inspect(kind: ObjectKind, idOrName: string): Promise<ResolvedObject | undefined> {
    const { docker } = this.#engine;
    try {
      switch (kind) {
        case 'container': {
          const container = await docker.getContainer(idOrName).inspect();
          const standing = this.#standing(container.Config.Labels);
          const isSandbox = standing === 'owned' && container.Name === `/${this.#sandboxContainerName}`;
          return { id: container.Id, standing: isSandbox ? 'sandbox' : standing };
        }
        case 'network': {
          const network = (await docker.getNetwork(idOrName).inspect()) as {
            Id: string;
            Name: string;
            Labels?: Record<string, string> | null;
          };
          const standing = DEFAULT_NETWORK_NAMES.has(network.Name)
            ? 'default-network'
            : this.#standing(network.Labels);
          return { id: network.Id, standing };
        }
        case 'volume': {
          const volume = (await docker.getVolume(idOrName).inspect()) as {
            Name: string;
            Labels?: Record<string, string> | null;
          };
          return { id: volume.Name, standing: this.#standing(volume.Labels) };
        }
        case 'exec': {
          const exec = (await docker.getExec(idOrName).inspect()) as { ID: string; ContainerID: string };
          const container = await this.resolve('container', exec.ContainerID);
          return { id: exec.ID, standing: container?.standing ?? 'foreign' };
        }
      }
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode ?? 0;
      if (status >= 400 && status < 500) return undefined; // absent, or a name the engine cannot resolve

      throw error;
    }
  }
}
