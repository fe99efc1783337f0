import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { type EngineAttempt, EngineUnreachableError } from '../errors/index.js';
import { withTimeout } from '../util/abort.js';
import type { Engine, EngineConnection } from './engine.js';
import { unixSocketClient } from './unix-socket-client.js';

/** Options of {@link connectEngine}. */
export interface ConnectEngineOptions {
  /**
   * Engine address (`unix:///path`, `tcp://host:port`, `ssh://user@host`). When set, nothing else is tried.
   * @default DOCKER_HOST, then the current docker CLI context, then the default sockets
   */
  host?: string;
  /**
   * Environment to read `DOCKER_HOST`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`, `DOCKER_CONTEXT`, `DOCKER_CONFIG` from.
   * @default process.env
   */
  env?: NodeJS.ProcessEnv;
  /**
   * How long each candidate gets to answer `/_ping`.
   * @default 5_000
   */
  pingTimeoutMs?: number;
  /**
   * TLS for `host`: the directory with `ca.pem`, `cert.pem` and `key.pem`, and whether to verify the engine.
   * @default none for `host`; DOCKER_TLS_VERIFY / DOCKER_CERT_PATH or the context's files otherwise
   */
  tls?: EngineConnection['tls'];
  signal?: AbortSignal;
}

interface Candidate {
  source: string;
  address: string;
  tls?: { certDir: string; verify: boolean };
}

/**
 * Connects to the Docker engine the way the docker CLI would choose it, and
 * checks that it answers. Throws {@link EngineUnreachableError} listing every
 * place tried and why each failed.
 */
export async function connectEngine(options: ConnectEngineOptions = {}): Promise<Engine> {
  const env = options.env ?? process.env;
  const attempts: EngineAttempt[] = [];
  for (const candidate of engineCandidates(options.host, env, options.tls)) {
    let docker: Dockerode;
    try {
      docker = clientFor(candidate);
    } catch (error) {
      attempts.push({ ...candidate, reason: errorText(error) });
      continue;
    }
    try {
      await withTimeout(docker.ping(), options.pingTimeoutMs ?? 5_000, options.signal);
      return toEngine(docker, candidate);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      attempts.push({ source: candidate.source, address: candidate.address, reason: errorText(error) });
    }
  }
  throw new EngineUnreachableError(
    attempts,
    'Start a Docker engine (e.g. `sudo systemctl start docker`, or `sandkit setup` as root on Debian/Ubuntu), or point DOCKER_HOST at one.',
  );
}

/** Where to look for an engine, in the docker CLI's order of precedence. Exported for tests. */
export function engineCandidates(
  host: string | undefined,
  env: NodeJS.ProcessEnv,
  tls?: EngineConnection['tls'],
): Candidate[] {
  if (host) return [{ source: 'option "host"', address: host, ...(tls ? { tls } : {}) }];
  if (env.DOCKER_HOST) {
    const verify = Boolean(env.DOCKER_TLS_VERIFY) && env.DOCKER_TLS_VERIFY !== '0';
    const certPath = env.DOCKER_CERT_PATH ?? join(dockerConfigDir(env), '');
    const tls = env.DOCKER_TLS_VERIFY !== undefined || env.DOCKER_CERT_PATH !== undefined;
    return [
      {
        source: 'DOCKER_HOST',
        address: env.DOCKER_HOST,
        ...(tls ? { tls: { certDir: certPath, verify } } : {}),
      },
    ];
  }
  const context = currentContext(env);
  if (context && context.name !== 'default') return [context.candidate];
  const candidates: Candidate[] = [{ source: 'default socket', address: 'unix:///var/run/docker.sock' }];
  if (env.XDG_RUNTIME_DIR) {
    candidates.push({ source: 'rootless socket', address: `unix://${env.XDG_RUNTIME_DIR}/docker.sock` });
  }
  return candidates;
}

function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG ?? join(homedir(), '.docker');
}

function currentContext(env: NodeJS.ProcessEnv): { name: string; candidate: Candidate } | undefined {
  const configDir = dockerConfigDir(env);
  let name = env.DOCKER_CONTEXT;
  if (!name) {
    try {
      name = JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')).currentContext as
        | string
        | undefined;
    } catch {
      return undefined;
    }
  }
  if (!name || name === 'default') return undefined;
  const id = createHash('sha256').update(name).digest('hex');
  const source = `docker context "${name}"`;
  try {
    const meta = JSON.parse(readFileSync(join(configDir, 'contexts', 'meta', id, 'meta.json'), 'utf8'));
    const endpoint = meta.Endpoints?.docker;
    const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
    const tls = existsSync(tlsDir) ? { certDir: tlsDir, verify: !endpoint?.SkipTLSVerify } : undefined;
    return { name, candidate: { source, address: String(endpoint?.Host ?? ''), ...(tls ? { tls } : {}) } };
  } catch (error) {
    return { name, candidate: { source, address: `(unreadable context: ${errorText(error)})` } };
  }
}

function readTlsFiles(dir: string): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file)) : undefined);
  const files = { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
  return Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined));
}

function clientFor(candidate: Candidate): Dockerode {
  const url = new URL(candidate.address);
  if (url.protocol === 'unix:') return unixSocketClient(url.pathname);
  return new Dockerode(remoteOptions(url, candidate));
}

function remoteOptions(url: URL, candidate: Candidate): Dockerode.DockerOptions {
  switch (url.protocol) {
    case 'tcp:':
    case 'http:':
    case 'https:': {
      const secure = url.protocol === 'https:' || candidate.tls !== undefined;
      return {
        host: url.hostname,
        port: url.port || (secure ? 2376 : 2375),
        protocol: secure ? 'https' : 'http',
        ...(candidate.tls ? { ...readTlsFiles(candidate.tls.certDir), verify: candidate.tls.verify } : {}),
      };
    }
    case 'ssh:':
      return {
        protocol: 'ssh',
        host: url.hostname,
        port: url.port || 22,
        ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
        sshOptions: { agent: process.env.SSH_AUTH_SOCK },
      } as Dockerode.DockerOptions;
    default:
      throw new Error(`unsupported scheme "${url.protocol}" (use unix://, tcp:// or ssh://)`);
  }
}

function toEngine(docker: Dockerode, candidate: Candidate): Engine {
  const url = new URL(candidate.address);
  const isLocal = url.protocol === 'unix:';
  return {
    docker,
    address: candidate.address,
    connection: { host: candidate.address, ...(candidate.tls ? { tls: candidate.tls } : {}) },
    source: candidate.source,
    isLocal,
    publishedPortHost: isLocal ? '127.0.0.1' : url.hostname,
  };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
  return String(error);
}
