import {
  assertValidSpec,
  type CreateOptions,
  createContainerSandbox,
  defaultSession,
  describeEngine,
  type EngineSource,
  engineFromSource,
  type ProbeResult,
  type Runtime,
  type Sandbox,
  type SandboxSpec,
  type Session,
  type SpecIssue,
  type SweepFilter,
  type SweepReport,
  sweepByLabel,
} from '@sandkit/core';
import { hardenedHostConfig } from './hardening.js';

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
}

/** Name of the socket runtime in labels, errors and `explain()`. */
export const SOCKET_RUNTIME = 'socket';

/**
 * Sandboxes as hardened sibling containers on the host's engine.
 * Serves `docker: 'none'` (no engine access).
 */
export class SocketRuntime implements Runtime {
  readonly name = SOCKET_RUNTIME;
  readonly #engine: ReturnType<typeof engineFromSource>;
  readonly #session: Session;

  constructor(options: SocketRuntimeOptions = {}) {
    this.#engine = engineFromSource(options.engine);
    this.#session = options.session ?? defaultSession();
  }

  async probe(): Promise<ProbeResult> {
    try {
      const engine = await this.#engine();
      return {
        runtime: this.name,
        available: true,
        reasons: [`the engine at ${engine.address} answers; sandboxes run as hardened sibling containers`],
        dockerAccess: ['none'],
        insecure: false,
        facts: await describeEngine(engine),
      };
    } catch (error) {
      return {
        runtime: this.name,
        available: false,
        reasons: [(error as Error).message],
        dockerAccess: [],
        insecure: false,
        facts: {},
      };
    }
  }

  validate(spec: SandboxSpec): SpecIssue[] {
    const docker = spec.docker ?? 'none';
    if (docker === 'none') return [];
    return [
      {
        path: 'docker',
        problem:
          docker === 'isolated'
            ? 'the socket runtime cannot give a sandbox its own daemon'
            : 'guarded access to the host engine is not available in this version of the socket runtime',
        allowed: docker === 'isolated' ? '"none" here, or the sysbox runtime for "isolated"' : '"none"',
      },
    ];
  }

  async create(spec: SandboxSpec, options: CreateOptions = {}): Promise<Sandbox> {
    assertValidSpec(spec, this.validate(spec), this.name);
    const engine = await this.#engine();
    return createContainerSandbox({
      engine,
      session: this.#session,
      runtime: this.name,
      spec,
      options,
      blueprint: async () => ({ hostConfig: hardenedHostConfig() }),
    });
  }

  async sweep(filter: SweepFilter): Promise<SweepReport> {
    return sweepByLabel(await this.#engine(), { ...filter, runtime: this.name });
  }
}

/** The socket runtime: sandboxes as hardened sibling containers on the host's engine. */
export function socket(options: SocketRuntimeOptions = {}): SocketRuntime {
  return new SocketRuntime(options);
}
