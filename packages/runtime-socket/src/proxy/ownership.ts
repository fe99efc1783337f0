import { type Engine, LABEL } from '@sandkit/core';
import type { ObjectKind } from './api-route.js';

/**
 * Answers "does this object belong to the sandbox?" from the engine's labels,
 * remembering positive answers (by id and by the name asked for). Exec ids are
 * the job's when they run in one of its containers.
 */
export class Ownership {
  readonly #engine: Engine;
  readonly #sandboxId: string;
  readonly #known = new Set<string>();

  constructor(engine: Engine, sandboxId: string) {
    this.#engine = engine;
    this.#sandboxId = sandboxId;
  }

  /** Records an object the job just created through the proxy. */
  remember(kind: ObjectKind, id: string): void {
    this.#known.add(`${kind}:${id}`);
  }

  async owns(kind: ObjectKind, idOrName: string): Promise<boolean> {
    if (this.#known.has(`${kind}:${idOrName}`)) return true;
    const labels = await this.#labelsOf(kind, idOrName);
    const owned = labels?.[LABEL.sandbox] === this.#sandboxId;
    if (owned) this.#known.add(`${kind}:${idOrName}`);
    return owned;
  }

  async volumeExists(name: string): Promise<boolean> {
    return (await this.#labelsOf('volume', name)) !== undefined;
  }

  async #labelsOf(kind: ObjectKind, idOrName: string): Promise<Record<string, string> | undefined> {
    const { docker } = this.#engine;
    try {
      switch (kind) {
        case 'container':
          return (await docker.getContainer(idOrName).inspect()).Config.Labels ?? {};
        case 'network':
          return (
            ((await docker.getNetwork(idOrName).inspect()) as { Labels?: Record<string, string> }).Labels ??
            {}
          );
        case 'volume':
          return (
            ((await docker.getVolume(idOrName).inspect()) as { Labels?: Record<string, string> | null })
              .Labels ?? {}
          );
        case 'exec': {
          const exec = (await docker.getExec(idOrName).inspect()) as { ContainerID: string };
          return (await this.owns('container', exec.ContainerID)) ? { [LABEL.sandbox]: this.#sandboxId } : {};
        }
      }
    } catch {
      return undefined;
    }
  }
}
