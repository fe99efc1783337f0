import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '@sandkit/core';
import { LABEL } from '@sandkit/core/runtime';
import { denied, policyMessage, type Refusal, replyJson } from './answers.js';
import type { ApiRoute } from './api-route.js';
import { DockerfileRewrite } from './build-context.js';
import { withResolvedImages } from './dockerfile-references.js';
import type { Forwarded, ForwardOptions } from './forward.js';
import { isEmptyBody, readBody } from './forward.js';
import { ArchiveScanner, RefusedArchive } from './image-archive.js';
import { familiarTag, queryTag } from './image-names.js';
import type { ImageDeleteItem, ImageFacts, ImageOwnership } from './image-ownership.js';
import { jobImageHistory, jobImageInspect, jobImageList, jsonView } from './image-views.js';
import { isEngineDefaultMode } from './job-default-network.js';
import type { JobNames } from './job-names.js';
import { watchStream } from './json-messages.js';
import { UnreadableFilters, withBuildLabels } from './label-rewrite.js';
import { withJobNameFilters } from './name-filters.js';
import type { Ownership } from './ownership.js';
import { hostOnlyRegistryRefusal, registryOfReference } from './registry-host.js';

/** Routes {@link ImageRoutes} answers: everything that makes, moves, removes, reads or sums up images. */
export const IMAGE_ROUTES = new Set([
  'image.read',
  'image.list',
  'image.save',
  'image.tag',
  'image.remove',
  'image.build',
  'image.pull',
  'image.commit',
  'image.load',
  'image.prune',
  'build.prune',
  'system.df',
]);

/** What {@link ImageRoutes} works with. */
export interface ImageRoutesContext {
  engine: Engine;
  sandboxId: string;
  /** Labels put on what the job builds. */
  labels: Record<string, string>;
  images: ImageOwnership;
  /** The job's private tags (see {@link JobNames}). */
  names: JobNames;
  /** The id of the job's own default network, made when first needed: where its builds run. */
  jobDefaultNetwork: () => Promise<string>;
  /** The job's containers (what it may commit). */
  containers: Ownership;
  forward: (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    options?: ForwardOptions,
  ) => Promise<Forwarded>;
}

/** A request, parsed. */
interface ImageRequest {
  route: ApiRoute;
  query: URLSearchParams;
  /** The path's `/v1.xx` prefix, or `''`. */
  version: string;
  req: IncomingMessage;
  res: ServerResponse;
}

/** How the engine reads a boolean query parameter (`httputils.BoolValue`). */
function engineBool(value: string | null): boolean {
  return !['', '0', 'no', 'false', 'none'].includes((value ?? '').trim().toLowerCase());
}

/** `repo` and `tag` query parameters for a familiar tag. */
function tagQuery(tag: string): Record<string, string> {
  const colon = tag.lastIndexOf(':');
  return { repo: tag.slice(0, colon), tag: tag.slice(colon + 1) };
}

/** The query parameters of `query` the engine reads, given. */
function pick(query: URLSearchParams, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    names.flatMap((name) => (query.has(name) ? [[name, query.get(name) ?? '']] : [])),
  );
}

/**
 * The image routes of the guarded socket. Tags are owned per job (see
 * {@link ImageOwnership}): every route that points a tag — tag, build,
 * commit, import, load, pull — is refused when the tag exists and is not the
 * job's, and records it as the job's once the engine shows it in place;
 * removal and prune reach only the job's own tags and images; `system df`
 * shows only the job's objects. The engine is sent the checked, pinned form
 * of each request (image ids, familiar tags), never the job's query as is.
 */
export class ImageRoutes {
  readonly #context: ImageRoutesContext;

  constructor(context: ImageRoutesContext) {
    this.#context = context;
  }

  /** Answers one request of {@link IMAGE_ROUTES}; resolves to a refusal the caller sends, or nothing. */
  async handle(
    route: ApiRoute,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<Refusal | undefined> {
    const request: ImageRequest = {
      route,
      query: url.searchParams,
      version: /^\/v\d+(\.\d+)?(?=\/)/.exec(url.pathname)?.[0] ?? '',
      req,
      res,
    };
    switch (route.name) {
      case 'image.read':
        return this.#read(request);
      case 'image.list':
        return this.#list(request);
      case 'image.save':
        return this.#save(request);
      case 'image.tag':
        return this.#tag(request);
      case 'image.remove':
        return this.#remove(request);
      case 'image.build':
        return this.#build(request);
      case 'image.pull':
        return request.query.get('fromImage') ? this.#pull(request) : this.#import(request);
      case 'image.commit':
        return this.#commit(request);
      case 'image.load':
        return this.#load(request);
      case 'image.prune':
        return this.#prune(request);
      case 'build.prune':
        return this.#pruneBuildCache(request);
      default:
        return this.#diskUsage(request);
    }
  }

  /**
   * `docker inspect` of an image and `docker history`: the image the job's
   * reference stands for (see {@link ImageOwnership.lookup}), its tags as
   * the job sees them.
   */
  async #read({ route, version, req, res }: ImageRequest): Promise<Refusal | undefined> {
    const { images, names } = this.#context;
    const [, name = '', what = 'json'] = /^\/images\/(.+)\/(json|history)$/.exec(route.path) ?? [];
    const found = await images.lookup(decodeURIComponent(name));
    if (!found) return { status: 404, message: `No such image: ${decodeURIComponent(name)}` };
    const view = what === 'json' ? jobImageInspect : jobImageHistory;
    await this.#context.forward(req, res, `${version}/images/${encodeURIComponent(found.image.Id)}/${what}`, {
      responseThrough: jsonView((answer) => view(answer, names)),
    });
    return undefined;
  }

  /** `docker images`: every image on the engine, as {@link jobImageList} shows them; `reference` filters match the job's names. */
  async #list({ route, query, version, req, res }: ImageRequest): Promise<Refusal | undefined> {
    const { names } = this.#context;
    let sent = query;
    try {
      sent = withJobNameFilters(route.name, query, names);
    } catch {
      // Filters the engine cannot read either: it answers them itself.
    }
    await this.#context.forward(req, res, `${version}/images/json${sent.size > 0 ? `?${sent}` : ''}`, {
      responseThrough: jsonView((answer) => jobImageList(answer, names)),
    });
    return undefined;
  }

  /** `docker save`: of the images the job's references stand for (its private tags are saved by their engine names). */
  async #save({ route, query, version, req, res }: ImageRequest): Promise<Refusal | undefined> {
    const { images } = this.#context;
    const named = /^\/images\/(.+)\/get$/.exec(route.path)?.[1];
    if (named !== undefined) {
      const reference = await images.engineReference(decodeURIComponent(named));
      await this.#context.forward(req, res, `${version}/images/${encodeURIComponent(reference)}/get`);
      return undefined;
    }
    const sent = new URLSearchParams();
    for (const name of query.getAll('names')) sent.append('names', await images.engineReference(name));
    await this.#context.forward(req, res, `${version}/images/get?${sent}`);
    return undefined;
  }

  /** `docker tag`: a source the job may see (tagged, or its own), onto a private tag that is new or its own. */
  async #tag({ route, query, version, req, res }: ImageRequest): Promise<Refusal | undefined> {
    const { images, names } = this.#context;
    const source = decodeURIComponent(route.path.slice('/images/'.length, -'/tag'.length));
    const jobTarget = queryTag(query.get('repo'), query.get('tag'));
    if (!jobTarget) return { status: 400, message: 'sandkit proxy: name the tag to make (repo, and tag)' };
    const target = names.engineTag(jobTarget);
    const image = (await images.lookup(source))?.image;
    if (!image) return { status: 404, message: `No such image: ${source}` };
    if (image.RepoTags.length === 0 && !images.ownsImage(image.Id))
      return denied([`image ${source} is untagged and not this job's: it may not be tagged`]);
    const refusal = (await images.tagRefusal(target)) ?? (await this.#noBody(req));
    if (refusal) return typeof refusal === 'string' ? denied([refusal]) : refusal;
    const path = `${version}/images/${encodeURIComponent(image.Id)}/tag?${new URLSearchParams(tagQuery(target))}`;
    const { status } = await this.#context.forward(req, res, path, { body: Buffer.alloc(0) });
    if (status === 201) await images.recordTags([target], image.Id);
    return undefined;
  }

  /** `docker rmi`: a tag of the job's, or an image of the job's that no one else tags; never its parents. */
  async #remove({ route, query, version, req, res }: ImageRequest): Promise<Refusal | undefined> {
    const { images } = this.#context;
    const name = decodeURIComponent(route.path.slice('/images/'.length));
    const found = await images.lookup(name);
    if (!found) return { status: 404, message: `No such image: ${name}` };
    const { image } = found;
    const refusal = images.removalRefusal(found.reference, image);
    if (refusal) return { status: 409, message: policyMessage([refusal]) };
    const force = engineBool(query.get('force'));
    if (force && !(await images.onlyJobUses(image)))
      return {
        status: 409,
        message: policyMessage([`image ${name} is used by a container that is not this job's`]),
      };
    const noBody = await this.#noBody(req);
    if (noBody) return noBody;
    const tag = familiarTag(found.reference);
    const target = tag && image.RepoTags.includes(tag) ? tag : image.Id;
    const path = `${version}/images/${encodeURIComponent(target)}?${new URLSearchParams({ force: force ? '1' : '0', noprune: '1' })}`;
    const { status, answer } = await this.#context.forward(req, res, path, {
      body: Buffer.alloc(0),
      capture: true,
    });
    if (status === 200) images.forget(JSON.parse(answer.toString('utf8')) as ImageDeleteItem[]);
    return undefined;
  }

  /**
   * A legacy build: onto private tags that are new or the job's, labelled,
   * its intermediate containers always removed, its Dockerfile's image names
   * resolved as the job's (see {@link withResolvedImages}); what it made
   * (every stage's image and its steps) is the job's. Quiet builds are asked for in full
   * and answered quietly: only the full stream names every stage's image.
   */
  async #build({ query, version, req, res }: ImageRequest): Promise<Refusal | undefined> {
    const { images, names } = this.#context;
    const tags: string[] = [];
    for (const t of query.getAll('t')) {
      const jobTag = familiarTag(t);
      if (!jobTag) return { status: 400, message: `sandkit proxy: "${t}" is not an image tag` };
      const tag = names.engineTag(jobTag);
      const refusal = await images.tagRefusal(tag);
      if (refusal) return denied([refusal]);
      tags.push(tag);
    }
    const quiet = engineBool(query.get('q'));
    const sent = withBuildLabels(query, this.#context.labels);
    sent.delete('t');
    for (const tag of tags) sent.append('t', tag);
    // A build runs on the job's default network, or on one of its networks (checked to be the job's before), by id.
    const network = query.get('networkmode') ?? '';
    if (isEngineDefaultMode(network)) sent.set('networkmode', await this.#context.jobDefaultNetwork());
    else if (network !== 'none') {
      const resolved = await this.#context.containers.resolve('network', network);
      if (resolved?.standing === 'owned') sent.set('networkmode', resolved.id);
    }
    sent.delete('q');
    sent.set('rm', '1');
    sent.set('forcerm', '1');
    const startedAt = Date.now();
    const watched = watchStream(quiet);
    // The engine resolves the Dockerfile's FROM itself: the job's names in it are sent as their engine references.
    const context = new DockerfileRewrite(query.get('dockerfile'), (dockerfile) =>
      withResolvedImages(dockerfile, (reference) => images.engineReference(reference)),
    );
    await this.#context.forward(req, res, `${version}/build?${sent}`, {
      requestThrough: context,
      responseThrough: watched.transform,
    });
    const { failed, auxIds } = watched.outcome;
    if (failed || auxIds.length === 0) return undefined;
    for (const id of auxIds) await images.recordBuilt(id, startedAt);
    await images.recordTags(tags, auxIds.at(-1) as string);
    return undefined;
  }

  /** `docker pull` of one tag (or digest): never onto a tag that exists and is not the job's. */
  async #pull({ query, version, req, res }: ImageRequest): Promise<Refusal | undefined> {
    const { images } = this.#context;
    const fromImage = query.get('fromImage') ?? '';
    const tagParam = query.get('tag') ?? '';
    const sent = new URLSearchParams(pick(query, ['fromImage', 'tag', 'platform']));
    const registryRefusal = hostOnlyRegistryRefusal(registryOfReference(fromImage));
    if (registryRefusal) return denied([registryRefusal]);
    if (fromImage.includes('@') || tagParam.startsWith('sha256:')) {
      // By digest: no tag moves (a tag given with a digest would make one, so it is not sent).
      if (fromImage.includes('@')) sent.delete('tag');
      await this.#context.forward(req, res, `${version}/images/create?${sent}`, { body: Buffer.alloc(0) });
      return undefined;
    }
    const path = `${version}/images/create?${sent}`;
    const target = queryTag(fromImage, tagParam);
    if (!target || (!tagParam && !/:[^/]+$/.test(fromImage)))
      return denied(['pulling every tag of a repository is not available: name the tag']);
    // Pulls stay shared (the registry knows the shared name): a private tag of that name would hide what was pulled.
    if (await images.inspect(this.#context.names.engineTag(target)))
      return denied([
        `image tag "${target}" is this job's own: pulling would not change what it names (remove it first, or pull under another name)`,
      ]);
    const refusal = await images.tagRefusal(target);
    if (refusal) return denied([`pulling would re-point a tag: ${refusal}`]);
    const watched = watchStream();
    await this.#context.forward(req, res, path, {
      body: Buffer.alloc(0),
      responseThrough: watched.transform,
    });
    const pulled = watched.outcome.failed ? undefined : await images.inspect(target);
    if (pulled) await images.recordTags([target], pulled.Id);
    return undefined;
  }

  /** `docker import` of the archive the job sends (never a URL the engine would fetch), into a new or own tag. */
  async #import({ query, version, req, res }: ImageRequest): Promise<Refusal | undefined> {
    const { images } = this.#context;
    if (query.get('fromSrc') !== '-')
      return denied([
        'importing from a URL is not allowed: the engine would fetch it from the host network; send the archive instead (docker import FILE)',
      ]);
    const jobTarget = query.get('repo') ? queryTag(query.get('repo'), query.get('tag')) : undefined;
    if (query.get('repo') && !jobTarget)
      return { status: 400, message: 'sandkit proxy: the import names no valid tag' };
    const target = jobTarget && this.#context.names.engineTag(jobTarget);
    const refusal = target ? await images.tagRefusal(target) : undefined;
    if (refusal) return denied([refusal]);
    const sent = new URLSearchParams({
      fromSrc: '-',
      ...(target ? tagQuery(target) : {}),
      ...pick(query, ['message', 'changes', 'platform']),
    });
    for (const change of query.getAll('changes').slice(1)) sent.append('changes', change);
    const watched = watchStream();
    await this.#context.forward(req, res, `${version}/images/create?${sent}`, {
      responseThrough: watched.transform,
    });
    if (watched.outcome.failed) return undefined;
    const ids = watched.outcome.texts.flatMap((text) => /^(sha256:[0-9a-f]{64})\s*$/.exec(text)?.[1] ?? []);
    images.recordImages(ids);
    const id = ids.at(-1);
    if (target && id) await images.recordTags([target], id);
    return undefined;
  }

  /** `docker commit` of one of the job's containers (not its sandbox's), into a new or own tag. */
  async #commit({ query, version, req, res }: ImageRequest): Promise<Refusal | undefined> {
    const { images, containers } = this.#context;
    const name = query.get('container') ?? '';
    const container = await containers.resolve('container', name);
    if (container?.standing === 'sandbox')
      return denied(["the sandbox's own container is not the job's to commit"]);
    if (container?.standing !== 'owned') return { status: 404, message: `No such container: ${name}` };
    const jobTarget = query.get('repo') ? queryTag(query.get('repo'), query.get('tag')) : undefined;
    if (query.get('repo') && !jobTarget)
      return { status: 400, message: 'sandkit proxy: the commit names no valid tag' };
    const target = jobTarget && this.#context.names.engineTag(jobTarget);
    const refusal = (target ? await images.tagRefusal(target) : undefined) ?? (await this.#noBody(req));
    if (refusal) return typeof refusal === 'string' ? denied([refusal]) : refusal;
    const sent = new URLSearchParams({
      container: container.id,
      ...(target ? tagQuery(target) : {}),
      ...pick(query, ['comment', 'author', 'pause']),
    });
    for (const change of query.getAll('changes')) sent.append('changes', change);
    const { status, answer } = await this.#context.forward(req, res, `${version}/commit?${sent}`, {
      body: Buffer.alloc(0),
      capture: true,
    });
    if (status !== 201) return undefined;
    const { Id } = JSON.parse(answer.toString('utf8')) as { Id?: string };
    if (!Id) return undefined;
    images.recordImages([Id]);
    if (target) await images.recordTags([target], Id);
    return undefined;
  }

  /**
   * `docker load`: the archive is read on its way (see {@link ArchiveScanner})
   * and cut short when it would point a tag that is not the job's; the
   * images it adds (not those that were there before) are the job's.
   */
  async #load({ query, version, req, res }: ImageRequest): Promise<Refusal | undefined> {
    const { images, names } = this.#context;
    const checked = { tags: [] as string[], newImages: [] as string[] };
    // The archive's tags are loaded as the job's private tags (those that are not tags at all are refused).
    const retag = (tag: string) => {
      const familiar = familiarTag(tag);
      return familiar ? names.engineTag(familiar) : tag;
    };
    const scanner = new ArchiveScanner(async ({ tags, imageIds }) => {
      for (const tag of tags) {
        const familiar = familiarTag(tag);
        if (!familiar || familiar !== tag) return `"${tag}" in the archive is not an image tag`;
        const refusal = await images.tagRefusal(familiar);
        if (refusal) return refusal;
        checked.tags.push(familiar);
      }
      for (const id of imageIds) if (!(await images.inspect(id))) checked.newImages.push(id);
      return undefined;
    }, retag);
    const watched = watchStream();
    const path = `${version}/images/load?${new URLSearchParams(pick(query, ['quiet']))}`;
    try {
      await this.#context.forward(req, res, path, {
        requestThrough: scanner,
        responseThrough: watched.transform,
      });
    } catch (error) {
      if (error instanceof RefusedArchive && !res.headersSent) return denied([error.message]);
      throw error;
    }
    if (watched.outcome.failed) return undefined;
    images.recordImages(checked.newImages);
    for (const tag of checked.tags) {
      const loaded = await images.inspect(tag);
      if (loaded) await images.recordTags([tag], loaded.Id);
    }
    return undefined;
  }

  /**
   * `docker image prune`: the job's own images that no container uses —
   * untagged ones, or (`dangling=false`, `-a`) all of them — narrowed further
   * by the job's `label` filters. Nothing is forwarded unscoped: the proxy
   * removes each image itself, as {@link ImageOwnership.remove} does.
   */
  async #prune({ query, req, res }: ImageRequest): Promise<Refusal | undefined> {
    const { images, engine } = this.#context;
    const noBody = await this.#noBody(req);
    if (noBody) return noBody;
    let filters: Record<string, string[]>;
    try {
      filters = readFilters(query.get('filters'));
    } catch (error) {
      if (error instanceof UnreadableFilters)
        return { status: 400, message: `sandkit proxy: ${error.message}` };
      throw error;
    }
    const unknown = Object.keys(filters).filter((key) => key !== 'dangling' && key !== 'label');
    if (unknown.length > 0)
      return {
        status: 400,
        message: `sandkit proxy: image prune filters ${unknown.join(', ')} are not available`,
      };
    const danglingOnly = (filters.dangling ?? ['true']).every((value) => engineBool(value));
    const labelled = filters.label
      ? new Set(
          (
            await engine.docker.listImages({ all: true, filters: JSON.stringify({ label: filters.label }) })
          ).map((image) => image.Id),
        )
      : undefined;
    const candidates = (await images.images()).filter(
      (image: ImageFacts) =>
        (!danglingOnly || image.RepoTags.length === 0) && (labelled === undefined || labelled.has(image.Id)),
    );
    const deleted: ImageDeleteItem[] = [];
    let reclaimed = 0;
    for (const image of candidates) {
      if (await images.inUse(image)) continue;
      const items = await images.remove(image);
      deleted.push(...items);
      if (items.some((item) => item.Deleted === image.Id)) reclaimed += image.Size;
    }
    const answer = { ImagesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed };
    replyJson(res, 200, JSON.parse(this.#context.names.toJob(JSON.stringify(answer))));
    return undefined;
  }

  /**
   * `docker builder prune` (and `system prune`): the job has no build cache
   * of its own — the legacy builder's cache is its images, which image prune
   * removes — so nothing is removed, and the engine's shared cache is not
   * asked.
   */
  async #pruneBuildCache({ req, res }: ImageRequest): Promise<Refusal | undefined> {
    const noBody = await this.#noBody(req);
    if (noBody) return noBody;
    replyJson(res, 200, { CachesDeleted: null, SpaceReclaimed: 0 });
    return undefined;
  }

  /** `docker system df`: the job's images, containers and volumes; no build cache (it is not per job). */
  async #diskUsage({ req, res }: ImageRequest): Promise<Refusal | undefined> {
    const { images, engine, sandboxId } = this.#context;
    const noBody = await this.#noBody(req);
    if (noBody) return noBody;
    const usage = (await engine.docker.df()) as {
      Images?: Array<{ Id: string; Size: number }> | null;
      Containers?: Array<{ Labels?: Record<string, string> | null }> | null;
      Volumes?: Array<{ Labels?: Record<string, string> | null }> | null;
    };
    const own = new Set((await images.images()).map((image) => image.Id));
    const ownImages = (usage.Images ?? []).filter((image) => own.has(image.Id));
    const ours = (labels?: Record<string, string> | null) => labels?.[LABEL.sandbox] === sandboxId;
    const view = {
      ...usage,
      LayersSize: ownImages.reduce((sum, image) => sum + image.Size, 0),
      Images: ownImages,
      Containers: (usage.Containers ?? []).filter((container) => ours(container.Labels)),
      Volumes: (usage.Volumes ?? []).filter((volume) => ours(volume.Labels)),
      BuildCache: [],
    };
    replyJson(res, 200, JSON.parse(this.#context.names.toJob(JSON.stringify(view))));
    return undefined;
  }

  /** Reads the body of a route that takes none; a refusal when there is one. */
  async #noBody(req: IncomingMessage): Promise<Refusal | undefined> {
    const text = await readBody(req);
    if (text === undefined || !isEmptyBody(text))
      return { status: 400, message: `sandkit proxy: this request takes no body` };
    return undefined;
  }
}

/** A `filters` query parameter in either encoding the engine reads, as arrays of terms. */
function readFilters(raw: string | null): Record<string, string[]> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new UnreadableFilters('"filters" is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new UnreadableFilters('"filters" must be a JSON object');
  return Object.fromEntries(
    Object.entries(parsed as Record<string, unknown>).map(([key, value]) => {
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return [key, value as string[]];
      if (value !== null && typeof value === 'object' && Object.values(value).every((v) => v === true))
        return [key, Object.keys(value)];
      throw new UnreadableFilters(`filter "${key}" is not a list of terms`);
    }),
  );
}
