import { createHash } from 'node:crypto';
import { familiarTag } from './image-names.js';

/** Kinds of engine objects whose names are private per job. */
export type NamedKind = 'container' | 'network' | 'volume';

/** The engine's rule for container and volume names (`^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$`). */
const ENGINE_OBJECT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** Any job's namespace, as it appears in engine names and tags. */
const ANY_NAMESPACE = /^sk[0-9a-f]{12}$/;
/** Ids and id prefixes the engine might take the name for (looked up as they are first). */
const FULL_ID = /^[0-9a-f]{64}$/;
/** The names of the engine's own networks, which no job may take. */
const RESERVED_NETWORK_NAMES = new Set(['bridge', 'host', 'none', 'default']);

/**
 * A job's private names, and the engine-unique names they stand for. Every
 * job has a namespace derived from its sandbox id (`sk` and 12 hex digits);
 * the engine knows a job's container, network or volume `web` as
 * `<namespace>_web`, and its image tag `app:latest` as
 * `<namespace>/app:latest` (`registry/<namespace>/path:tag` when the tag
 * names a registry). A name already in the job's own namespace stands for
 * itself. Nothing here decides ownership: the engine-unique name is only
 * where the job's name is looked up first; what the engine finds there is
 * the job's only if it carries the sandbox's label.
 */
export class JobNames {
  /** The job's namespace: `sk` and 12 hex digits. */
  readonly namespace: string;
  readonly #objectPrefix: string;
  readonly #imageComponent: string;
  readonly #inText: RegExp;

  constructor(sandboxId: string) {
    this.namespace = `sk${createHash('sha256').update(sandboxId).digest('hex').slice(0, 12)}`;
    this.#objectPrefix = `${this.namespace}_`;
    this.#imageComponent = `${this.namespace}/`;
    this.#inText = new RegExp(`${this.namespace}[_/]`, 'g');
  }

  /** The engine name of the job's container, network or volume `name` (a leading `/` dropped). */
  engineName(name: string): string {
    const bare = name.replace(/^\//, '');
    return bare.startsWith(this.#objectPrefix) ? bare : `${this.#objectPrefix}${bare}`;
  }

  /** The job's name for an engine name: the namespace taken off; other names as they are. */
  jobName(engineName: string): string {
    const slash = engineName.startsWith('/') ? '/' : '';
    const bare = engineName.slice(slash.length);
    return bare.startsWith(this.#objectPrefix)
      ? `${slash}${bare.slice(this.#objectPrefix.length)}`
      : engineName;
  }

  /**
   * Where to look a name, id or id prefix up, in order: the job's name
   * first, then the name as it is (an id or prefix, the sandbox's own
   * container, the engine's default networks, an engine name the job read).
   * A full (64-hex) id is tried as it is first, as the engine does (full id,
   * then name, then id prefix): a job's name never shadows an id, and an
   * id prefix never shadows a job's name.
   */
  lookupOrder(kind: NamedKind | 'exec', name: string): string[] {
    if (kind === 'exec') return [name];
    const mapped = this.engineName(name);
    if (mapped === name) return [name];
    return FULL_ID.test(name) ? [name, mapped] : [mapped, name];
  }

  /**
   * Why the job may not give an object of `kind` the name `name`, or
   * `undefined` when it may: the engine's own rules for names (which the
   * namespaced name would otherwise pass), and the default networks' names.
   */
  nameRefusal(kind: NamedKind, name: string): string | undefined {
    const bare = kind === 'container' ? name.replace(/^\//, '') : name;
    if (kind !== 'network' && !ENGINE_OBJECT_NAME.test(bare))
      return `Invalid ${kind} name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`;
    if (kind === 'network' && (bare === '' || /[/\\?#%]/.test(bare))) return `invalid network name "${name}"`;
    if (kind === 'network' && RESERVED_NETWORK_NAMES.has(bare))
      return `network name "${name}" is the engine's own network`;
    return undefined;
  }

  /**
   * The engine tag of the job's tag (familiar form): the job's namespace
   * put first in the repository's path (after the registry, if any). A tag
   * already in the job's namespace stands for itself.
   */
  engineTag(tag: string): string {
    const { registry, path } = splitRegistry(tag);
    if (path.startsWith(this.#imageComponent)) return tag;
    return `${registry}${this.#imageComponent}${path}`;
  }

  /**
   * The job's form of an engine tag (familiar): its own private tags
   * without the namespace, shared tags as they are, and `undefined` for
   * another job's private tags (which the job never sees).
   */
  jobTag(engineTag: string): string | undefined {
    const { registry, path } = splitRegistry(engineTag);
    if (path.startsWith(this.#imageComponent)) return `${registry}${path.slice(this.#imageComponent.length)}`;
    return isPrivatePath(path) ? undefined : engineTag;
  }

  /**
   * Where an image reference the job sends is looked up, in order: its
   * private tag, then the shared tag of that name — never another job's
   * private tag (a reference in some job's namespace form is only looked up
   * in the job's own). Ids and digests are looked up as they are.
   */
  imageLookupOrder(reference: string): string[] {
    const tag = familiarTag(reference);
    if (!tag || /^(sha256:)?[0-9a-f]{1,64}$/.test(reference)) return [reference];
    const mine = this.engineTag(tag);
    return isPrivatePath(splitRegistry(tag).path) ? [mine] : [mine, tag];
  }

  /** Text from the engine (answers, errors, progress) with the job's engine names put back as the job's names. */
  toJob(text: string): string {
    return text.replace(this.#inText, '');
  }

  /** Whether text mentions the job's engine names at all (answers that need no rewriting are passed on as they are). */
  mentions(text: Buffer | string): boolean {
    return text.indexOf(this.namespace) !== -1;
  }
}

/** Whether a repository path (no registry) is in some job's namespace. */
function isPrivatePath(path: string): boolean {
  const first = path.split('/')[0] ?? '';
  return path.includes('/') && ANY_NAMESPACE.test(first);
}

/** A familiar tag's registry (with its trailing `/`, or `''`) and the rest. */
function splitRegistry(tag: string): { registry: string; path: string } {
  const slash = tag.indexOf('/');
  const first = slash === -1 ? '' : tag.slice(0, slash);
  const isRegistry = first !== '' && (/[.:]/.test(first) || first === 'localhost');
  return isRegistry ? { registry: `${first}/`, path: tag.slice(slash + 1) } : { registry: '', path: tag };
}
