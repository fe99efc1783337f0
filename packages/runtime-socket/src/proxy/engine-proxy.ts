import { mkdir, rm } from 'node:fs/promises';
import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { type Engine, LABEL } from '@sandkit/core';
import { type ApiRoute, matchRoute } from './api-route.js';
import { withBuildLabels, withLabelFilter, withLabels } from './label-rewrite.js';
import { Ownership } from './ownership.js';
import {
  checkBuild,
  checkContainerCreate,
  checkExecCreate,
  checkNetworkCreate,
  checkVolumeCreate,
  type PolicyContext,
} from './request-policy.js';

/** Largest JSON body the proxy reads to check it (create calls); larger ones are refused. */
export const MAX_INSPECTED_BODY = 1024 * 1024;

/** Options of {@link startEngineProxy}. */
export interface EngineProxyOptions {
  /** The engine to forward to; must be reachable on a unix socket of this host. */
  engine: Engine;
  /** Where the proxy listens (a unix socket path, created). */
  socketPath: string;
  /** The sandbox whose job uses the proxy. */
  sandboxId: string;
  /** Labels put on everything the job creates. */
  labels: Record<string, string>;
  /** Host paths the job may bind-mount. */
  allowedBindPaths: readonly string[];
}

/** A running proxy. */
export interface EngineProxy {
  readonly socketPath: string;
  close(): Promise<void>;
}

const LIST_ROUTES = new Set(['container.list', 'network.list', 'volume.list', 'events']);
const CREATE_ROUTES = new Set(['container.create', 'exec.create', 'network.create', 'volume.create']);
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/**
 * A per-sandbox guard in front of the engine API. It understands the API
 * (versioned paths included): labels everything the job creates, scopes lists
 * and object access to the job's own objects (others look absent: 404), denies
 * escapes with a message the `docker` CLI prints, and relays hijacked
 * connections (attach, exec) and streams with backpressure, flushing response
 * headers at once (an attached `docker run` waits on them).
 */
export async function startEngineProxy(options: EngineProxyOptions): Promise<EngineProxy> {
  const enginePath = new URL(options.engine.address).pathname;
  // Upstream connections are kept alive and reused: a fresh unix connection per call was most of the overhead.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const ownership = new Ownership(options.engine, options.sandboxId);
  const policy: PolicyContext = {
    allowedBindPaths: options.allowedBindPaths,
    owns: (kind, id) => ownership.owns(kind, id),
    volumeExists: (name) => ownership.volumeExists(name),
  };
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
    const denial = await denyReason(route, url.searchParams);
    if (denial) return reply(res, denial.status, denial.message);

    let query = url.searchParams;
    if (LIST_ROUTES.has(route.name)) query = withLabelFilter(query, LABEL.sandbox, options.sandboxId);
    if (route.name === 'image.build') query = withBuildLabels(query, options.labels);
    const path = `${url.pathname}${query.size > 0 ? `?${query}` : ''}`;

    if (!CREATE_ROUTES.has(route.name)) {
      await forward(req, res, path);
      return;
    }
    const body = await readJsonBody(req);
    if (body === undefined)
      return reply(
        res,
        413,
        `sandkit proxy: request bodies over ${MAX_INSPECTED_BODY} bytes are refused for ${route.name}`,
      );
    const violations = await checkBody(route, body);
    if (violations.length > 0) return reply(res, 403, policyMessage(violations));
    const rewritten = route.name === 'exec.create' ? body : withLabels(body, options.labels);
    const response = await forward(req, res, path, Buffer.from(JSON.stringify(rewritten)));
    const created = JSON.parse(response.toString('utf8') || '{}') as { Id?: string; Name?: string };
    const kind = route.name.split('.')[0] as 'container' | 'exec' | 'network' | 'volume';
    if (created.Id) ownership.remember(kind, created.Id);
    if (created.Name) ownership.remember(kind, created.Name);
    const name = url.searchParams.get('name');
    if (name && kind === 'container') ownership.remember(kind, name);
  }

  async function denyReason(
    route: ApiRoute,
    query: URLSearchParams,
  ): Promise<{ status: number; message: string } | undefined> {
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
    if (route.target && !(await ownership.owns(route.target.kind, route.target.id))) {
      return { status: 404, message: `No such ${route.target.kind}: ${route.target.id}` };
    }
    if (route.name === 'image.build') {
      const violations = checkBuild(query);
      if (violations.length > 0) return { status: 403, message: policyMessage(violations) };
    }
    return undefined;
  }

  async function checkBody(route: ApiRoute, body: Record<string, unknown>): Promise<string[]> {
    switch (route.name) {
      case 'container.create': {
        const { violations, volumesToCreate } = await checkContainerCreate(body, policy);
        if (violations.length === 0) {
          // The engine would create missing named volumes itself, unlabelled: create them labelled first.
          for (const name of volumesToCreate) {
            await options.engine.docker.createVolume({ Name: name, Labels: options.labels });
            ownership.remember('volume', name);
          }
        }
        return violations;
      }
      case 'exec.create':
        return checkExecCreate(body);
      case 'network.create':
        return checkNetworkCreate(body);
      case 'volume.create':
        return checkVolumeCreate(body);
      default:
        return [];
    }
  }

  /** Forwards a request, streaming both ways; with `body`, sends that instead and resolves with the response body. */
  function forward(req: IncomingMessage, res: ServerResponse, path: string, body?: Buffer): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const headers = { ...req.headers };
      if (body) {
        headers['content-length'] = String(body.length);
        delete headers['transfer-encoding'];
      }
      const upstream = request(
        { socketPath: enginePath, method: req.method, path, headers },
        (upstreamRes) => {
          const responseHeaders = Object.fromEntries(
            Object.entries(upstreamRes.headers).filter(([name]) => !HOP_BY_HOP.has(name)),
          );
          res.writeHead(upstreamRes.statusCode ?? 502, responseHeaders);
          res.flushHeaders();
          if (!body) {
            upstreamRes.pipe(res);
            upstreamRes.once('end', () => resolve(Buffer.alloc(0)));
            upstreamRes.once('error', reject);
            return;
          }
          const chunks: Buffer[] = [];
          upstreamRes.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            res.write(chunk);
          });
          upstreamRes.once('end', () => {
            res.end();
            resolve(Buffer.concat(chunks));
          });
          upstreamRes.once('error', reject);
        },
      );
      upstream.once('error', reject);
      // A client that goes away (Ctrl-C on `docker logs -f`) ends the upstream call too.
      res.once('close', () => upstream.destroy());
      if (body) upstream.end(body);
      else req.pipe(upstream);
    });
  }

  /** Hijacked connections (attach, exec start): checked, then spliced byte for byte. */
  async function upgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://engine');
    const route = matchRoute(req.method ?? 'GET', url.pathname);
    const denial = await denyReason(route, url.searchParams);
    if (denial) {
      const payload = JSON.stringify({ message: denial.message });
      socket.end(
        `HTTP/1.1 ${denial.status} Denied\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
      );
      return;
    }
    const upstream = connect(enginePath);
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    socket.pipe(upstream).pipe(socket);
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.once('close', close);
    upstream.once('close', close);
    socket.once('error', close);
    upstream.once('error', close);
  }

  await mkdir(dirname(options.socketPath), { recursive: true, mode: 0o711 });
  await rm(options.socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => resolve());
  });
  server.unref();
  return {
    socketPath: options.socketPath,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
      await rm(options.socketPath, { force: true });
    },
  };
}

function policyMessage(violations: readonly string[]): string {
  return `sandkit policy denied this request: ${violations.join('; ')}. The job's engine access is guarded; ask for what you need in the sandbox spec instead.`;
}

function reply(res: ServerResponse, status: number, message: string): void {
  const payload = JSON.stringify({ message });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  res.end(payload);
}

/** Reads a JSON body up to {@link MAX_INSPECTED_BODY}; `undefined` when larger. */
async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_INSPECTED_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}
