import type { Engine } from '@sandkit/core';
import { LABEL } from '@sandkit/core/runtime';
import { familiarTag } from './image-names.js';
import type { JobNames } from './job-names.js';

/** An image as the engine inspects it, reduced to what ownership decides on. */
export interface ImageFacts {
  Id: string;
  RepoTags: string[];
  Parent: string;
  Created: string;
  Size: number;
}

/** One entry of an image removal answer, as the engine gives it. */
export interface ImageDeleteItem {
  Untagged?: string;
  Deleted?: string;
}

/**
 * The job's images and tags, from the engine's answers only. A tag is the
 * job's when the job made it point somewhere (tag, build, commit, import,
 * load, pull) and the engine then showed it pointing there, and it did not
 * exist before as someone else's; an image is the job's when the engine
 * created it for the job (built, committed, imported or loaded it). The job
 * may point its own tags anywhere, never a tag that is not its own; it may
 * remove its own tags and images, never an image someone else tags. Kept in
 * the proxy's memory: what a proxy that died with its owner recorded is lost
 * (the built images still carry the sandbox's label).
 */
export class ImageOwnership {
  readonly #engine: Engine;
  readonly #sandboxId: string;
  readonly #names: JobNames;
  readonly #tags = new Set<string>();
  readonly #images = new Set<string>();

  constructor(engine: Engine, sandboxId: string, names: JobNames) {
    this.#engine = engine;
    this.#sandboxId = sandboxId;
    this.#names = names;
  }

  /**
   * The image a reference the job sends stands for: its private tag when it
   * has one, else the shared tag (or id) — never another job's private tag
   * (see {@link JobNames.imageLookupOrder}) — with the engine reference that
   * found it.
   */
  async lookup(reference: string): Promise<{ reference: string; image: ImageFacts } | undefined> {
    for (const candidate of this.#names.imageLookupOrder(reference)) {
      const image = await this.inspect(candidate);
      if (image) return { reference: candidate, image };
    }
    return undefined;
  }

  /**
   * The reference to send the engine for one the job sends (as
   * {@link lookup} would find it), without asking the engine about the last
   * candidate: the engine reads it itself (and answers "no such image").
   */
  async engineReference(reference: string): Promise<string> {
    const candidates = this.#names.imageLookupOrder(reference);
    for (const candidate of candidates.slice(0, -1)) if (await this.inspect(candidate)) return candidate;
    return candidates.at(-1) ?? reference;
  }

  /** The image a name, tag or id stands for, or `undefined` when the engine has none. */
  async inspect(name: string): Promise<ImageFacts | undefined> {
    try {
      const image = await this.#engine.docker.getImage(name).inspect();
      return {
        Id: image.Id,
        RepoTags: image.RepoTags ?? [],
        Parent: image.Parent ?? '',
        Created: image.Created,
        Size: image.Size,
      };
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode ?? 0;
      if (status >= 400 && status < 500) return undefined; // absent, or a name the engine cannot read
      throw error;
    }
  }

  /** Whether the engine created this image (full id) for the job. */
  ownsImage(id: string): boolean {
    return this.#images.has(id);
  }

  /**
   * Why the job may not point `tag` (familiar) at an image, or `undefined`
   * when it may: the tag is new, or the job's own.
   */
  async tagRefusal(tag: string): Promise<string | undefined> {
    if (this.#tags.has(tag)) return undefined;
    const current = await this.inspect(tag);
    if (current?.RepoTags.includes(tag))
      return `image tag "${tag}" exists and is not this job's: it may not be moved or overwritten`;
    return undefined;
  }

  /**
   * Records the tags the engine now shows on image `id`: those of `tags`
   * (familiar) it points at `id`, which the job asked for and was allowed.
   */
  async recordTags(tags: readonly string[], id: string): Promise<void> {
    for (const tag of tags) {
      if ((await this.inspect(tag))?.Id === id) this.#tags.add(tag);
    }
  }

  /** Records images the engine just created for the job (full ids). */
  recordImages(ids: Iterable<string>): void {
    for (const id of ids) if (/^sha256:[0-9a-f]{64}$/.test(id)) this.#images.add(id);
  }

  /**
   * Records an image a build produced, and its ancestors created since the
   * build started (its steps): stopping at the first image that existed
   * before (the base, a cache hit).
   */
  async recordBuilt(id: string, startedAt: number): Promise<void> {
    let next: string | undefined = id;
    while (next) {
      const image = await this.inspect(next);
      if (!image || Date.parse(image.Created) < startedAt || this.#images.has(image.Id)) return;
      this.#images.add(image.Id);
      next = image.Parent || undefined;
    }
  }

  /** Forgets what an engine's removal answer says is gone. */
  forget(items: readonly ImageDeleteItem[]): void {
    for (const item of items) {
      if (item.Untagged) {
        const tag = familiarTag(item.Untagged);
        if (tag) this.#tags.delete(tag);
      }
      if (item.Deleted) this.#images.delete(item.Deleted);
    }
  }

  /**
   * Why the job may not remove `image` through `name`, or `undefined` when it
   * may: by a tag, only its own; by id, only an image whose every tag is its
   * own, and that it created or tagged.
   */
  removalRefusal(name: string, image: ImageFacts): string | undefined {
    const tag = familiarTag(name);
    if (tag && image.RepoTags.includes(tag))
      return this.#tags.has(tag) ? undefined : `image tag "${tag}" is not this job's to remove`;
    const foreign = image.RepoTags.filter((t) => !this.#tags.has(t));
    if (foreign.length > 0)
      return `image ${name} is also tagged ${foreign.join(', ')}, which are not this job's`;
    if (!this.#images.has(image.Id) && image.RepoTags.length === 0)
      return `image ${name} is not one of this job's images`;
    return undefined;
  }

  /** Whether every container using `image` (or an image built on it) is the job's. */
  async onlyJobUses(image: ImageFacts): Promise<boolean> {
    return (await this.#users(image)).every((c) => c.Labels?.[LABEL.sandbox] === this.#sandboxId);
  }

  /** Whether any container uses `image` (or an image built on it). */
  async inUse(image: ImageFacts): Promise<boolean> {
    return (await this.#users(image)).length > 0;
  }

  #users(image: ImageFacts) {
    return this.#engine.docker.listContainers({
      all: true,
      filters: JSON.stringify({ ancestor: [image.Id] }),
    });
  }

  /** The job's images as the engine knows them now: those it created, and those its tags point at. */
  async images(): Promise<ImageFacts[]> {
    const found = new Map<string, ImageFacts>();
    for (const name of [...this.#images, ...this.#tags]) {
      const image = await this.inspect(name);
      if (image && (this.#images.has(image.Id) || image.RepoTags.some((t) => this.#tags.has(t))))
        found.set(image.Id, image);
    }
    return [...found.values()];
  }

  /**
   * Removes an image of the job's, unless someone else uses it: untags the
   * job's tags on it, then deletes it if no tag is left and no container
   * uses it (the engine refuses that without force). Never prunes parents:
   * those the job created are removed as its own.
   * @returns the engine's removal answers
   */
  async remove(image: ImageFacts): Promise<ImageDeleteItem[]> {
    const removed: ImageDeleteItem[] = [];
    const remove = async (name: string) => {
      try {
        const items = (await this.#engine.docker
          .getImage(name)
          .remove({ noprune: true })) as ImageDeleteItem[];
        this.forget(items);
        removed.push(...items);
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status !== 404 && status !== 409) throw error;
      }
    };
    for (const tag of image.RepoTags.filter((t) => this.#tags.has(t))) await remove(tag);
    const now = await this.inspect(image.Id);
    if (now && now.RepoTags.length === 0 && this.#images.has(now.Id)) await remove(now.Id);
    return removed;
  }

  /**
   * Removes everything the job built or tagged that no one else uses (see
   * {@link remove}); children before parents, as the engine requires.
   */
  async removeAll(): Promise<void> {
    for (let progress = true; progress; ) {
      progress = false;
      for (const image of await this.images()) {
        if ((await this.remove(image)).length > 0) progress = true;
      }
    }
  }
}
