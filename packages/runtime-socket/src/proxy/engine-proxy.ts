import { mkdir, rm } from 'node:fs/promises';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Engine } from '@sandkit/core';
import { INHERITED_LABEL_OVERRIDES, LABEL } from '@sandkit/core/runtime';
import { denied, parseCreated, policyMessage, type Refusal, reply, replyJson } from './answers.js';
import { type ApiRoute, matchRoute, pathWithTarget } from './api-route.js';
import { checkBuild } from './build-query.js';
import { type CanonicalBody, canonicalBody, UnreadableBody } from './canonical-body/canonicalise.js';
import {
  AUTH_CONFIG,
  CONTAINER_CREATE,
  CONTAINER_UPDATE,
  EXEC_CREATE,
  EXEC_START,
  NETWORK_CONNECT,
  NETWORK_CREATE,
  NETWORK_DISCONNECT,
  VOLUME_CREATE,
} from './canonical-body/engine-schema.js';
import type { StructType } from './canonical-body/schema-types.js';
import { type ForwardOptions, forwardRequest, isEmptyBody, MAX_INSPECTED_BODY, readBody } from './forward.js';
import { relayHijacked } from './hijack-relay.js';
import { ImageOwnership } from './image-ownership.js';
import { IMAGE_ROUTES, ImageRoutes } from './image-routes.js';
import { isEngineDefaultMode, JOB_DEFAULT_NETWORK, onJobDefaultNetwork } from './job-default-network.js';
import { JobNames } from './job-names.js';
import { UnreadableFilters, withLabelFilter, withLabels, withMountVolumeLabels } from './label-rewrite.js';
import { withJobNameFilters } from './name-filters.js';
import { withAlias, withNetworkAlias } from './network-aliases.js';
import { Ownership } from './ownership.js';
import { hostOnlyRegistryRefusal, registryOfReference } from './registry-host.js';
import {
  checkContainerCreate,
  checkContainerUpdate,
  checkExecCreate,
  checkNetworkConnect,
  checkNetworkCreate,
  checkVolumeCreate,
  type PolicyContext,
} from './request-policy.js';

/** What a proxy guards, serialisable: all a proxy worker is started with. */
export interface EngineProxySettings {
  /** Where the proxy listens (a unix socket path, created). */
  socketPath: string;
  /** The sandbox whose job uses the proxy. */
  sandboxId: string;
  /** Name of the sandbox's own container: the job may read it, never change it. */
  sandboxContainerName: string;
  /** Labels put on everything the job creates. */
  labels: Record<string, string>;
  /** Host paths the job may bind-mount. */
  allowedBindPaths: readonly string[];
  /**
   * Keep the images the job built or tagged when the proxy closes (a build
   * cache for later jobs); otherwise they are removed unless someone else
   * uses them.
   * @default false
   */
  keepImages?: boolean;
}

/** A proxy serving in this thread. */
export interface ServedProxy {
  /** Stops listening, drops the job's connections, removes the socket and (unless kept) the job's images. */
  close(): Promise<void>;
}

/** A request that may go to the engine: the path to send (the target pinned to its engine id). */
interface CheckedRequest {
  pathname: string;
  /** The default network (`bridge`, `host`, `none`) a read addresses: answered as {@link sharedNetworkView}. */
  sharedNetwork?: string;
}

/** Routes whose `filters` the proxy narrows to the sandbox's objects: lists, events, and prunes (never forwarded unscoped). */
const SCOPED_QUERIES = new Set([
  'container.list',
  'network.list',
  'volume.list',
  'events',
  'container.prune',
  'network.prune',
  'volume.prune',
]);
/** Routes whose JSON body the proxy reads, checks and re-serializes, with the engine struct it is read as. */
const CHECKED_BODIES: Readonly<Record<string, StructType>> = {
  'container.create': CONTAINER_CREATE,
  'container.update': CONTAINER_UPDATE,
  'exec.create': EXEC_CREATE,
  'exec.act': EXEC_START,
  'network.create': NETWORK_CREATE,
  'network.connect': NETWORK_CONNECT,
  'network.disconnect': NETWORK_DISCONNECT,
  'volume.create': VOLUME_CREATE,
  auth: AUTH_CONFIG,
};
/** Routes (and paths) by which the job gives a name to an object or takes one away. */
const NAME_CHANGES: ReadonlyMap<string, RegExp> = new Map([
  ['container.create', /./],
  ['container.remove', /./],
  ['container.act', /\/rename$/],
  ['network.create', /./],
  ['network.remove', /./],
  ['volume.create', /./],
  ['volume.remove', /./],
  ['container.prune', /./],
  ['network.prune', /./],
  ['volume.prune', /./],
]);
/** Routes whose body is a stream the engine unpacks (tar archives), never read as settings. */
const STREAMED_BODIES = new Set(['container.write']);
/** Routes (and paths) whose `name` query parameter names a container: create, rename. */
const CONTAINER_NAMING: ReadonlyMap<string, RegExp> = new Map([
  ['container.create', /./],
  ['container.act', /\/rename$/],
]);
/** Routes that hijack the connection (attach, exec start): the only ones spliced byte for byte. */
const HIJACKED_ROUTES = new Set(['container.act', 'exec.act']);
/** Of those routes, the paths that may upgrade: attaching, and starting an exec (never `start` of a container, whose old-API body is a HostConfig). */
const ATTACH_PATH = /\/containers\/[^/]+\/attach(\/ws)?$/;
const EXEC_START_PATH = /\/exec\/[^/]+\/start$/;
const hijackable = (pathname: string) => ATTACH_PATH.test(pathname) || EXEC_START_PATH.test(pathname);
/** An exec start's body holds only Detach, Tty and ConsoleSize. */
const MAX_EXEC_START_BODY = 1024;
/**
 * What the job may do with its own sandbox container: look at it (`docker
 * inspect $(hostname)`, logs, top, stats), never copy files out of it (they may
 * be root's) nor change it.
 */
const SANDBOX_CONTAINER_READS = /^\/containers\/[^/]+\/(json|logs|top|stats)$/;

/**
 * Serves a per-sandbox guard in front of the engine API, in the calling
 * thread (a proxy worker: see `startEngineProxy`). It understands the API
 * (versioned paths included): reads every settings body as the engine will
 * and forwards exactly the canonical form it checked, labels everything the
 * job creates, resolves every name to an engine id before deciding and sends
 * the engine that id, scopes lists and object access to the job's own objects
 * (others look absent: 404), denies escapes with a message the `docker` CLI
 * prints, and relays hijacked connections (attach, exec) and streams with
 * backpressure, flushing response headers at once (an attached `docker run`
 * waits on them).
 */
export async function serveEngineProxy(engine: Engine, options: EngineProxySettings): Promise<ServedProxy> {
  const enginePath = new URL(engine.address).pathname;
  const names = new JobNames(options.sandboxId);
  const ownership = new Ownership(engine, options.sandboxId, options.sandboxContainerName, names);
  const policy: PolicyContext = {
    allowedBindPaths: options.allowedBindPaths,
    ownedId: (kind, id) => ownership.ownedId(kind, id),
    volumeExists: (name) => ownership.volumeExists(name),
    engineName: (_kind, name) => names.engineName(name),
  };
  const forward = (req: IncomingMessage, res: ServerResponse, path: string, options?: ForwardOptions) =>
    forwardRequest(enginePath, req, res, path, { names, ...options });
  const images = new ImageOwnership(engine, options.sandboxId, names);
  /**
   * The id of the job's own default network, created (labelled) the first
   * time a container or build of the job asks for the engine's default, and
   * again if the job removed it: jobs never share the engine's bridge.
   */
  const jobDefaultNetwork = async (): Promise<string> => {
    const name = names.engineName(JOB_DEFAULT_NETWORK);
    const existing = await ownership.ownedId('network', name);
    if (existing) return existing;
    try {
      await engine.docker.createNetwork({ Name: name, Labels: options.labels, CheckDuplicate: true });
    } catch (error) {
      // Another request of the job's made it first.
      if ((error as { statusCode?: number }).statusCode !== 409) throw error;
    }
    ownership.forgetNames('network');
    const id = await ownership.ownedId('network', name);
    if (!id) throw new Error(`the job's default network ${name} exists and is not the job's`);
    return id;
  };
  const imageRoutes = new ImageRoutes({
    engine,
    sandboxId: options.sandboxId,
    // Images kept as a cache must outlive the sandbox and its session: without the managed label,
    // no label sweep (destroy, watchdog, gc) selects them.
    labels: options.keepImages
      ? Object.fromEntries(Object.entries(options.labels).filter(([key]) => key !== LABEL.managed))
      : options.labels,
    images,
    names,
    jobDefaultNetwork,
    containers: ownership,
    forward,
  });
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 502, `sandkit proxy: ${(error as Error).message}`);
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    upgrade(req, socket, head).catch(() => socket.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://engine');
    const route = matchRoute(req.method ?? 'GET', url.pathname);
    try {
      await handleRoute(req, res, url, route);
    } finally {
      const renamed = NAME_CHANGES.get(route.name)?.test(route.path);
      if (renamed) ownership.forgetNames(route.name.split('.')[0] as 'container' | 'network' | 'volume');
    }
  }

  async function handleRoute(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: ApiRoute,
  ): Promise<void> {
    const checked = await checkRequest(route, url, req.headers);
    if ('status' in checked) return reply(res, checked.status, checked.message);
    if (checked.sharedNetwork !== undefined)
      return replyJson(res, 200, await sharedNetworkView(checked.sharedNetwork));
    let query = url.searchParams;
    if (IMAGE_ROUTES.has(route.name)) {
      const refused = await imageRoutes.handle(route, url, req, res);
      if (refused) reply(res, refused.status, names.toJob(refused.message));
      return;
    }
    if (SCOPED_QUERIES.has(route.name)) {
      try {
        query = withJobNameFilters(
          route.name,
          withLabelFilter(query, LABEL.sandbox, options.sandboxId),
          names,
        );
      } catch (error) {
        if (error instanceof UnreadableFilters) return reply(res, 400, `sandkit proxy: ${error.message}`);
        throw error;
      }
    }
    // The job's container name stands for its engine name (see JobNames).
    const containerName = CONTAINER_NAMING.get(route.name)?.test(route.path) ? query.get('name') : null;
    if (containerName) {
      const refusal = names.nameRefusal('container', containerName);
      if (refusal) return reply(res, 400, refusal);
      query = new URLSearchParams(query);
      query.set('name', names.engineName(containerName));
    }
    if (route.name === 'container.remove') {
      // A container's anonymous volumes carry no labels: removed with it, they cannot outlive the sandbox.
      query = new URLSearchParams(query);
      query.set('v', '1');
    }
    const path = `${checked.pathname}${query.size > 0 ? `?${query}` : ''}`;

    const schema = CHECKED_BODIES[route.name];
    const hasBody =
      req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    if (STREAMED_BODIES.has(route.name) || (!schema && !hasBody)) {
      await forward(req, res, path);
      return;
    }
    const text = await readBody(req);
    if (text === undefined)
      return reply(res, 413, `sandkit proxy: request bodies over ${MAX_INSPECTED_BODY} bytes are refused`);
    if (!schema) {
      // The engine reads no body here (but API < 1.24's start, refused so); dockerode still sends its
      // query options as one (`{"t":0}` with a stop): those are dropped, the engine gets an empty body.
      if (!isEmptyBody(text) && !isEchoedQueryOptions(text))
        return reply(res, 400, `sandkit proxy: ${route.name} takes no request body`);
      await forward(req, res, path, { body: Buffer.alloc(0) });
      return;
    }
    let body: CanonicalBody;
    try {
      body = canonicalBody(text, schema);
    } catch (error) {
      if (error instanceof UnreadableBody)
        return reply(res, 400, `sandkit proxy refused the request body: ${error.message}`);
      throw error;
    }
    const outcome = await checkBody(route, body, containerName?.replace(/^\//, '') ?? '');
    if ('status' in outcome) return reply(res, outcome.status, names.toJob(outcome.message));
    const { status, answer } = await forward(req, res, path, {
      body: Buffer.from(JSON.stringify(outcome.body)),
      capture: true,
    });
    // A container the engine just created (carrying the sandbox's label), or an exec in one of the
    // job's containers, is the job's: known by the id the engine answered, so later calls need no lookup.
    if (status === 201 && (route.name === 'container.create' || route.name === 'exec.create')) {
      const created = parseCreated(answer);
      if (created) ownership.recordCreated(route.name === 'exec.create' ? 'exec' : 'container', created);
    }
  }

  /** The request's route and target checked; resolves to the path to send (the target pinned to its engine id). */
  async function checkRequest(
    route: ApiRoute,
    url: URL,
    headers: IncomingHttpHeaders,
  ): Promise<Refusal | CheckedRequest> {
    if (route.name === 'absent')
      return { status: 404, message: `No such object: ${route.path.split('/')[2] ?? ''}` };
    if (route.name === 'unknown') {
      return {
        status: 403,
        message: policyMessage([
          `${route.method} ${route.path} is not available through the guarded engine socket`,
        ]),
      };
    }
    // Go's engine reads form-encoded bodies as query parameters: a second, unchecked query.
    if (/^application\/x-www-form-urlencoded/i.test(headers['content-type'] ?? ''))
      return { status: 400, message: 'sandkit proxy: form-encoded request bodies are refused' };
    let pathname = url.pathname;
    let sharedNetwork: string | undefined;
    const distribution = /\/distribution\/(.+)\/json$/.exec(url.pathname)?.[1];
    const registryRefusal = hostOnlyRegistryRefusal(
      distribution === undefined ? undefined : registryOfReference(decodeURIComponent(distribution)),
    );
    if (registryRefusal) return { status: 403, message: policyMessage([registryRefusal]) };
    if (route.target) {
      const { kind, id } = route.target;
      const resolved = await ownership.resolve(kind, id);
      const readOnly = route.name === `${kind}.read`;
      if (
        !resolved ||
        resolved.standing === 'foreign' ||
        (resolved.standing === 'default-network' && !readOnly)
      )
        return { status: 404, message: `No such ${kind}: ${id}` };
      if (resolved.standing === 'sandbox' && !SANDBOX_CONTAINER_READS.test(route.path)) {
        return {
          status: 403,
          message: policyMessage([
            `the sandbox's own container is not the job's to change or copy from (${route.method} ${route.path.replace(/^\/[a-z]+\/[^/]+/, `/${kind}s/…`)})`,
          ]),
        };
      }
      pathname = pathWithTarget(url.pathname, resolved.id);
      if (resolved.standing === 'default-network') sharedNetwork = resolved.id;
    }
    if (route.name === 'image.build') {
      const violations = await checkBuild(url.searchParams, policy);
      if (violations.length > 0) return { status: 403, message: policyMessage(violations) };
    }
    // A name that looks like an id (the engine matches names before id prefixes) would shadow another's container.
    if (
      route.name === 'container.create' &&
      /^\/?[0-9a-f]{12,64}$/.test(url.searchParams.get('name') ?? '')
    ) {
      return { status: 400, message: 'sandkit proxy: a container name may not look like a container id' };
    }
    return sharedNetwork === undefined ? { pathname } : { pathname, sharedNetwork };
  }

  /**
   * A default network as the job may see it: the engine's inspect with the
   * containers attached to it narrowed to the job's own.
   */
  async function sharedNetworkView(id: string): Promise<unknown> {
    const { docker } = engine;
    const [network, own] = await Promise.all([
      docker.getNetwork(id).inspect() as Promise<{ Containers?: Record<string, unknown> }>,
      docker.listContainers({
        all: true,
        filters: JSON.stringify({ label: [`${LABEL.sandbox}=${options.sandboxId}`] }),
      }),
    ]);
    const ownIds = new Set(own.map((container) => container.Id));
    const containers = Object.entries(network.Containers ?? {}).filter(([containerId]) =>
      ownIds.has(containerId),
    );
    return JSON.parse(
      names.toJob(JSON.stringify({ ...network, Containers: Object.fromEntries(containers) })),
    );
  }

  /**
   * Runs the policy on a canonical body; resolves to the body to send, or a
   * refusal. `containerName` is the job's name for the container a create
   * makes (or `''`).
   */
  async function checkBody(
    route: ApiRoute,
    body: CanonicalBody,
    containerName: string,
  ): Promise<Refusal | { body: CanonicalBody }> {
    switch (route.name) {
      case 'container.create': {
        const checked = await checkContainerCreate(body, policy);
        if (checked.violations.length > 0) return denied(checked.violations);
        // The job's image reference stands for its private tag when it has one.
        if (typeof checked.body.Image === 'string' && checked.body.Image !== '')
          checked.body = { ...checked.body, Image: await images.engineReference(checked.body.Image) };
        const joined = [...checked.jobNetworks];
        if (isEngineDefaultMode((checked.body.HostConfig as CanonicalBody | undefined)?.NetworkMode)) {
          const network = await jobDefaultNetwork();
          checked.body = onJobDefaultNetwork(checked.body, network);
          joined.push(network);
        }
        // The engine would create missing named volumes itself, unlabelled: create them labelled first.
        for (const name of checked.volumesToCreate) {
          await engine.docker.createVolume({ Name: name, Labels: options.labels });
          // The engine answers "create" of an existing volume with 201 too: it is the job's only if it carries the label.
          if (!(await ownership.ownedId('volume', name)))
            return denied([`volume "${name}" is not one of this job's volumes`]);
        }
        return {
          body: withNetworkAlias(
            withMountVolumeLabels(
              withLabels(checked.body, { ...INHERITED_LABEL_OVERRIDES, ...options.labels }),
              options.labels,
            ),
            containerName,
            joined,
          ),
        };
      }
      case 'container.update': {
        const violations = checkContainerUpdate(body);
        return violations.length > 0 ? denied(violations) : { body };
      }
      case 'exec.create': {
        const violations = checkExecCreate(body);
        return violations.length > 0 ? denied(violations) : { body };
      }
      case 'auth': {
        // `docker login` makes the engine call the registry itself, from the host's network.
        const refusal = hostOnlyRegistryRefusal(
          typeof body.serveraddress === 'string' ? body.serveraddress : undefined,
        );
        return refusal ? denied([refusal]) : { body };
      }
      case 'network.create': {
        const checked = checkNetworkCreate(body);
        if (checked.violations.length > 0) return denied(checked.violations);
        const name = typeof body.Name === 'string' ? body.Name : '';
        const refusal = names.nameRefusal('network', name);
        if (refusal) return { status: 400, message: `sandkit proxy: ${refusal}` };
        return { body: withLabels({ ...checked.body, Name: names.engineName(name) }, options.labels) };
      }
      case 'network.connect':
      case 'network.disconnect': {
        const checked = await checkNetworkConnect(body, policy);
        if (checked.violations.length > 0) return denied(checked.violations);
        if (route.name === 'network.disconnect') return { body: checked.body };
        // The container answers to the job's name for it on the job's network, as on those it was created on.
        const alias = await ownership.containerName(checked.body.Container as string);
        return {
          body: {
            ...checked.body,
            EndpointConfig: withAlias(checked.body.EndpointConfig as CanonicalBody | null | undefined, alias),
          },
        };
      }
      case 'volume.create': {
        const violations = checkVolumeCreate(body);
        if (violations.length > 0) return denied(violations);
        const name = typeof body.Name === 'string' ? body.Name : '';
        if (name === '') return { body: withLabels(body, options.labels) };
        const refusal = names.nameRefusal('volume', name);
        if (refusal) return { status: 400, message: refusal };
        const engineName = names.engineName(name);
        // The engine answers "create" of an existing volume with that volume: never hand out someone else's.
        if ((await ownership.volumeExists(engineName)) && !(await ownership.ownedId('volume', engineName)))
          return {
            status: 409,
            message: `sandkit proxy: volume "${name}" already exists and is not one of this job's volumes`,
          };
        return { body: withLabels({ ...body, Name: engineName }, options.labels) };
      }
      default:
        return { body };
    }
  }

  /** Hijacked connections (attach, exec start): checked, then relayed by {@link relayHijacked}. */
  async function upgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://engine');
    const route = matchRoute(req.method ?? 'GET', url.pathname);
    const bodyLength = Number(req.headers['content-length'] ?? 0);
    const checked: Refusal | CheckedRequest =
      !HIJACKED_ROUTES.has(route.name) || !hijackable(url.pathname)
        ? {
            status: 400,
            message: `sandkit proxy: ${route.method} ${route.path} cannot upgrade the connection`,
          }
        : req.headers['transfer-encoding'] !== undefined
          ? { status: 400, message: 'sandkit proxy: upgrade requests must declare their body length' }
          : // Relayed bodies are not read: only an exec start's small {Detach, Tty} may come along.
            !Number.isSafeInteger(bodyLength) ||
              bodyLength < 0 ||
              bodyLength > (EXEC_START_PATH.test(url.pathname) ? MAX_EXEC_START_BODY : 0)
            ? {
                status: 400,
                message: `sandkit proxy: ${route.method} ${route.path} takes no body when it upgrades`,
              }
            : await checkRequest(route, url, req.headers);
    if ('status' in checked) {
      const payload = JSON.stringify({ message: checked.message });
      socket.end(
        `HTTP/1.1 ${checked.status} Denied\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
      );
      return;
    }
    const lines = [`${req.method} ${checked.pathname}${url.search} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    relayHijacked(enginePath, socket, head, {
      head: `${lines.join('\r\n')}\r\n\r\n`,
      bodyLength,
    });
  }

  await mkdir(dirname(options.socketPath), { recursive: true, mode: 0o711 });
  await rm(options.socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => resolve());
  });
  return {
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(options.socketPath, { force: true });
      if (!options.keepImages) await images.removeAll();
    },
  };
}

/** Query options dockerode also puts in the body of container actions (start, stop, kill, restart). */
const ECHOED_QUERY_OPTIONS = new Set(['t', 'signal', 'detachKeys']);

/** Whether `text` is a JSON object of nothing but {@link ECHOED_QUERY_OPTIONS}. */
function isEchoedQueryOptions(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      Object.keys(value).every((key) => ECHOED_QUERY_OPTIONS.has(key))
    );
  } catch {
    return false;
  }
}
