import { join } from 'node:path';
import {
  type CreateOptions,
  type Engine,
  type EngineSource,
  type ProbeResult,
  type Runtime,
  RuntimeUnavailableError,
  type Sandbox,
  type SandboxSpec,
  type Session,
  type SpecIssue,
} from '@sandkit/core';
import {
  assertValidCreateOptions,
  assertValidSession,
  assertValidSpec,
  type ContainerBlueprint,
  createContainerSandbox,
  defaultSession,
  describeEngine,
  engineFromSource,
  hostPathsLabel,
  removeHostPaths,
  sandboxContainerName,
  sandboxLabels,
  unavailableProbe,
  unixSocketClient,
} from '@sandkit/core/runtime';
import { hardenedHostConfig } from './hardening.js';
import { startEngineProxy } from './proxy/proxy-worker.js';

/** Options of {@link socket}. */
export interface SocketRuntimeOptions {
  /**
   * The engine sandboxes run on, or how to connect to it.
   * @default connect as the docker CLI would (DOCKER_HOST, context, default socket)
   */
  engine?: EngineSource;
  /**
   * Session everything is labelled with.
   * @default one session per process
   */
  session?: Session;
  /**
   * Host paths a `docker: 'shared'` job may bind-mount into the containers it
   * starts (they resolve on the host, not in the job: mount them into the job at
   * the same path to keep paths meaningful).
   * @default [] (no host path)
   */
  allowedBindPaths?: string[];
  /**
   * Give `docker: 'shared'` jobs the engine's raw socket instead of the guarding
   * proxy. **Insecure**: root on the host for the job, and its containers are
   * neither scoped nor removed with the sandbox.
   * @default false
   */
  unsafeRawSocket?: boolean;
  /**
   * Keep the images a `docker: 'shared'` job built, committed, loaded or
   * tagged when its sandbox is destroyed (a build cache for later jobs).
   * Otherwise they are removed with the sandbox, unless something that is
   * not the job's uses them (a container, or a tag another job made).
   * @default false
   */
  keepJobImages?: boolean;
  /**
   * Host directory holding one directory per shared sandbox (its proxy socket).
   * @default '/run/sandkit/socket'
   */
  stateDir?: string;
  /**
   * Receives warnings, such as the raw socket being handed out.
   * @default console.warn
   */
  onWarning?: (message: string) => void;
}

/** Name of the socket runtime in labels, errors and `explain()`. */
export const SOCKET_RUNTIME = 'socket';

/**
 * Sandboxes as hardened sibling containers on the host's engine. Serves
 * `docker: 'none'` (no engine access) and `docker: 'shared'` (the host engine,
 * through a per-sandbox guarding proxy; local engines only).
 */
export class SocketRuntime implements Runtime {
  readonly name = SOCKET_RUNTIME;
  readonly #engine: ReturnType<typeof engineFromSource>;
  readonly #session: Session;
  readonly #options: SocketRuntimeOptions;

  constructor(options: SocketRuntimeOptions = {}) {
    assertValidSession(options.session, 'socket()');
    this.#engine = engineFromSource(options.engine);
    this.#session = options.session ?? defaultSession();
    this.#options = options;
  }

  async probe(): Promise<ProbeResult> {
    try {
      const engine = await this.#engine();
      return {
        runtime: this.name,
        available: true,
        reasons: [
          `the engine at ${engine.address} answers; sandboxes run as hardened sibling containers`,
          engine.isLocal
            ? this.#options.unsafeRawSocket
              ? 'INSECURE: docker: "shared" jobs get the raw engine socket (unsafeRawSocket)'
              : 'docker: "shared" jobs reach the engine through a guarding proxy'
            : 'docker: "shared" needs a local engine (the proxy socket is bind-mounted into the job)',
        ],
        dockerAccess: engine.isLocal ? ['none', 'shared'] : ['none'],
        insecure: engine.isLocal && this.#options.unsafeRawSocket === true,
        facts: await describeEngine(engine),
      };
    } catch (error) {
      return unavailableProbe(this.name, [(error as Error).message]);
    }
  }

  validate(spec: SandboxSpec): SpecIssue[] {
    if ((spec.docker ?? 'none') !== 'isolated') return [];
    return [
      {
        path: 'docker',
        problem: 'the socket runtime cannot give a sandbox its own daemon',
        allowed: '"none" or "shared" here, or the sysbox runtime for "isolated"',
      },
    ];
  }

  async create(spec: SandboxSpec, options: CreateOptions = {}): Promise<Sandbox> {
    assertValidSpec(spec, this);
    assertValidCreateOptions(options, { runtime: this.name });
    const engine = await this.#engine();
    return createContainerSandbox({
      engine,
      session: this.#session,
      runtime: this.name,
      spec,
      options,
      blueprint: async ({ sandboxId, session, expiresAt, recordHostPaths }) =>
        (spec.docker ?? 'none') === 'shared'
          ? this.#sharedBlueprint(engine, sandboxId, session, expiresAt, recordHostPaths)
          : { hostConfig: hardenedHostConfig() },
    });
  }

  /** A hardened job container whose /var/run/docker.sock is its own guarding proxy (or, opted in, the raw socket). */
  async #sharedBlueprint(
    engine: Engine,
    sandboxId: string,
    session: Session,
    expiresAt: number | undefined,
    recordHostPaths: (paths: readonly string[]) => Promise<void>,
  ): Promise<ContainerBlueprint> {
    if (!engine.isLocal) {
      throw new RuntimeUnavailableError(this.name, [
        `docker: "shared" needs a local engine; ${engine.address} is remote, so no proxy socket can be bind-mounted into the job`,
      ]);
    }
    const env = { DOCKER_HOST: 'unix:///var/run/docker.sock' };
    if (this.#options.unsafeRawSocket) {
      (this.#options.onWarning ?? console.warn)(
        `[sandkit] WARNING: sandbox ${sandboxId} gets the raw engine socket (unsafeRawSocket): the job is root on the host, and its containers are not removed with the sandbox.`,
      );
      const enginePath = new URL(engine.address).pathname;
      return {
        hostConfig: { ...hardenedHostConfig(), Binds: [`${enginePath}:/var/run/docker.sock`] },
        env,
        afterStart: async () => ({ dockerHost: engine.address, client: engine.docker }),
      };
    }
    const hostDir = join(this.#options.stateDir ?? '/run/sandkit/socket', sandboxId);
    await recordHostPaths([hostDir]);
    const proxy = await startEngineProxy({
      engine,
      socketPath: join(hostDir, 'docker.sock'),
      sandboxId,
      sandboxContainerName: sandboxContainerName(sandboxId),
      // The job's containers, networks and volumes expire with its sandbox: sweeps remove them together.
      labels: sandboxLabels({ session, sandboxId, runtime: this.name, expiresAt }),
      allowedBindPaths: this.#options.allowedBindPaths ?? [],
      keepImages: this.#options.keepJobImages ?? false,
    });
    return {
      hostConfig: { ...hardenedHostConfig(), Binds: [`${proxy.socketPath}:/var/run/docker.sock`] },
      env,
      labels: hostPathsLabel([hostDir]),
      afterStart: async () => ({
        dockerHost: `unix://${proxy.socketPath}`,
        client: unixSocketClient(proxy.socketPath),
      }),
      teardown: async () => {
        await proxy.close();
        await removeHostPaths([hostDir]);
      },
    };
  }

  engine(): Promise<Engine> {
    return this.#engine();
  }
}

/** The socket runtime: sandboxes as hardened sibling containers on the host's engine. */
export function socket(options: SocketRuntimeOptions = {}): SocketRuntime {
  return new SocketRuntime(options);
}
