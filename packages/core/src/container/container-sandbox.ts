import { mkdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Dockerode from 'dockerode';
import * as tarFs from 'tar-fs';
import { followLogs, readLogs } from '../engine/container-logs.js';
import type { Engine } from '../engine/engine.js';
import { runExec } from '../engine/exec/run-exec.js';
import { startExec } from '../engine/exec/start-exec.js';
import { ignoreMissing, sweepByLabel } from '../engine/sweep-by-label.js';
import {
  CancelledError,
  SandboxDestroyedError,
  SandkitError,
  type SandkitErrorContext,
} from '../errors/index.js';
import type { BufferedExecOptions, ExecOptions, ExecProcess, ExecResult } from '../sandbox/exec-types.js';
import type {
  CallOptions,
  DestroyOptions,
  Endpoint,
  FileEntry,
  FollowLogOptions,
  LogLine,
  LogOptions,
  Sandbox,
  SandboxStatus,
} from '../sandbox/sandbox.js';
import { combineSignals } from '../util/abort.js';
import {
  type ArchiveTransport,
  type ArchiveTransportKind,
  engineArchiveTransport,
  execArchiveTransport,
} from './archive-transport.js';
import { filesToTar } from './file-archive.js';
import { readSingleFile } from './read-archive.js';

/** How the job inside reaches an engine, when it does. */
export interface EngineAccess {
  /** `DOCKER_HOST` value usable from this process. */
  dockerHost: string;
  /** A client for that engine. */
  client: Dockerode;
}

/** What a runtime hands to {@link ContainerSandbox}. */
export interface ContainerSandboxInit {
  engine: Engine;
  id: string;
  runtime: string;
  containerId: string;
  image: string;
  engineAccess?: EngineAccess | undefined;
  /**
   * How files are copied in and out.
   * @default 'engine'
   */
  archiveTransport?: ArchiveTransportKind | undefined;
  /** Runtime-specific cleanup after the sandbox's engine objects are gone (host dirs, network release…). */
  teardown: () => Promise<void>;
}

/**
 * A sandbox that is one container on an engine. Every runtime builds on it;
 * what differs between runtimes is how the container is made and what engine
 * access it gets.
 */
export class ContainerSandbox implements Sandbox {
  readonly id: string;
  readonly runtime: string;
  readonly containerId: string;
  readonly image: string;
  readonly #engine: Engine;
  readonly #engineAccess: EngineAccess | undefined;
  readonly #archives: ArchiveTransport;
  readonly #teardown: () => Promise<void>;
  #destroyed: Promise<void> | undefined;

  constructor(init: ContainerSandboxInit) {
    this.id = init.id;
    this.runtime = init.runtime;
    this.containerId = init.containerId;
    this.image = init.image;
    this.#engine = init.engine;
    this.#engineAccess = init.engineAccess;
    this.#archives = (init.archiveTransport === 'exec' ? execArchiveTransport : engineArchiveTransport)(
      init.engine,
      init.containerId,
    );
    this.#teardown = init.teardown;
  }

  get dockerHost(): string | undefined {
    return this.#engineAccess?.dockerHost;
  }

  #context(): SandkitErrorContext {
    return { runtime: this.runtime, sandboxId: this.id, containerId: this.containerId, image: this.image };
  }

  #assertAlive(operation: string): void {
    if (this.#destroyed) throw new SandboxDestroyedError(operation, this.#context());
  }

  #container() {
    return this.#engine.docker.getContainer(this.containerId);
  }

  exec(command: readonly string[], options: BufferedExecOptions = {}): Promise<ExecResult> {
    this.#assertAlive('exec');
    return runExec(command, options, {
      ...this.#context(),
      engine: this.#engine,
      containerId: this.containerId,
    });
  }

  execStream(command: readonly string[], options: ExecOptions = {}): Promise<ExecProcess> {
    this.#assertAlive('execStream');
    return startExec(command, options, {
      ...this.#context(),
      engine: this.#engine,
      containerId: this.containerId,
      attachStdin: true,
    });
  }

  writeFiles(files: readonly FileEntry[], options: CallOptions = {}): Promise<void> {
    return this.#transfer('writeFiles', options, (signal) => this.#put(filesToTar(files), '/', signal));
  }

  readFile(path: string, options: CallOptions = {}): Promise<Buffer> {
    return this.#transfer('readFile', options, async (signal) =>
      readSingleFile(await this.#get(path, signal), path),
    );
  }

  copyDirectoryIn(hostDir: string, sandboxDir: string, options: CallOptions = {}): Promise<void> {
    return this.#transfer('copyDirectoryIn', options, async (signal) => {
      await this.exec(['mkdir', '-p', sandboxDir], signal ? { signal } : {}).catch(() => {
        // Images without mkdir: the copy below reports a missing directory clearly.
      });
      await this.#put(tarFs.pack(hostDir), sandboxDir, signal);
    });
  }

  copyDirectoryOut(sandboxDir: string, hostDir: string, options: CallOptions = {}): Promise<void> {
    return this.#transfer('copyDirectoryOut', options, async (signal) => {
      const tar = await this.#get(`${sandboxDir.replace(/\/+$/, '')}/.`, signal);
      await mkdir(hostDir, { recursive: true });
      const extract = tarFs.extract(hostDir, {
        map: (header) => ({ ...header, name: header.name.replace(/^\.\/?/, '') || '.' }),
      });
      await pipeline(tar, extract, signal ? { signal } : {});
    });
  }

  putArchive(tar: Readable, sandboxDir: string, options: CallOptions = {}): Promise<void> {
    return this.#transfer('putArchive', options, (signal) => this.#put(tar, sandboxDir, signal));
  }

  getArchive(path: string, options: CallOptions = {}): Promise<Readable> {
    return this.#transfer('getArchive', options, (signal) => this.#get(path, signal));
  }

  /** Runs a data transfer with the caller's signal and timeout; an abort becomes `CancelledError`. */
  async #transfer<T>(
    operation: string,
    options: CallOptions,
    work: (signal: AbortSignal | undefined) => Promise<T>,
  ): Promise<T> {
    this.#assertAlive(operation);
    const signal = combineSignals(options.signal, options.timeoutMs);
    try {
      signal?.throwIfAborted();
      return await work(signal);
    } catch (error) {
      if (signal?.aborted) throw new CancelledError(operation, signal.reason, this.#context());
      throw error;
    }
  }

  async #put(tar: Readable, sandboxDir: string, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.#archives.put(tar, sandboxDir, signal);
    } catch (error) {
      signal?.throwIfAborted();
      throw this.#engineError(`Could not copy files into ${sandboxDir}`, error);
    }
  }

  async #get(path: string, signal: AbortSignal | undefined): Promise<Readable> {
    try {
      return await this.#archives.get(path, signal);
    } catch (error) {
      signal?.throwIfAborted();
      throw this.#engineError(`Could not copy ${path} out of the sandbox`, error);
    }
  }

  logs(options: LogOptions = {}): Promise<{ stdout: string; stderr: string }> {
    this.#assertAlive('logs');
    return readLogs(this.#engine, this.containerId, options);
  }

  followLogs(options: FollowLogOptions = {}): AsyncIterable<LogLine> {
    this.#assertAlive('followLogs');
    return followLogs(this.#engine, this.containerId, options);
  }

  async endpoint(port: number, protocol: 'tcp' | 'udp' = 'tcp'): Promise<Endpoint> {
    this.#assertAlive('endpoint');
    const info = await this.#container().inspect();
    const binding = info.NetworkSettings.Ports?.[`${port}/${protocol}`]?.[0];
    if (!binding) {
      throw new SandkitError(
        `Port ${port}/${protocol} of the sandbox is not published`,
        this.#context(),
        "List it in the spec's `ports` so sandkit publishes it when the sandbox is created.",
      );
    }
    const host = this.#engine.publishedPortHost;
    const hostPort = Number(binding.HostPort);
    return { host, port: hostPort, toString: () => `${host.includes(':') ? `[${host}]` : host}:${hostPort}` };
  }

  docker(): Dockerode {
    this.#assertAlive('docker');
    if (!this.#engineAccess) {
      throw new SandkitError(
        'This sandbox has no Docker engine access',
        this.#context(),
        'Create it with docker: "shared" (host engine, guarded) or docker: "isolated" (its own daemon).',
      );
    }
    return this.#engineAccess.client;
  }

  status(options: CallOptions = {}): Promise<SandboxStatus> {
    return this.#transfer('status', options, async (signal) => {
      const info = await ignoreMissing(this.#container().inspect(signal ? { abortSignal: signal } : {}));
      // A container removed behind sandkit's back is a sandbox that no longer runs.
      if (!info) return { running: false, exitCode: undefined };
      return { running: info.State.Running, exitCode: info.State.Running ? undefined : info.State.ExitCode };
    });
  }

  destroy(options: DestroyOptions = {}): Promise<void> {
    this.#destroyed ??= (async () => {
      if (options.gracePeriodMs) {
        await this.#container()
          .stop({ t: Math.ceil(options.gracePeriodMs / 1000) })
          .catch(() => {});
      }
      await sweepByLabel(this.#engine, { sandbox: this.id });
      await this.#teardown();
    })();
    return this.#destroyed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.destroy();
  }

  #engineError(message: string, error: unknown): SandkitError {
    const status = (error as { statusCode?: number }).statusCode;
    const reason = (error as { json?: { message?: string } }).json?.message ?? (error as Error).message;
    return new SandkitError(
      message,
      { ...this.#context(), cause: error },
      status ? `engine said (${status}): ${reason}` : reason,
    );
  }
}
