import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import * as tarFs from 'tar-fs';
import { followLogs, readLogs } from '../engine/container-logs.js';
import type { Engine } from '../engine/engine.js';
import { runExec } from '../engine/exec/run-exec.js';
import { startExec } from '../engine/exec/start-exec.js';
import { ignoreMissing, sweepByLabel } from '../engine/sweep-by-label.js';
import { isConnectionError, toSandkitError } from '../engine/to-sandkit-error.js';
import {
  CancelledError,
  CopyFailedError,
  FileNotFoundError,
  NotAFileError,
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
import { combineSignals, raceSignal } from '../util/abort.js';
import { IssueList, MAX_TIMER_MS } from '../validation/issue-list.js';
import { checkCallOptions, checkFileEntries } from '../validation/validate-copy-arguments.js';
import { findExecIssues } from '../validation/validate-exec-arguments.js';
import {
  type ArchiveTransport,
  type ArchiveTransportKind,
  engineArchiveTransport,
  execArchiveTransport,
  isMissingPath,
} from './archive-transport.js';
import { extractArchive } from './extract-archive.js';
import { filesToTar } from './file-archive.js';
import { readArchivedPath } from './read-archive.js';

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
  /** Copies that the engine's archive API would get wrong go through tar inside the sandbox. */
  readonly #insideArchives: ArchiveTransport;
  readonly #teardown: () => Promise<void>;
  #destroyed = false;
  #destroying: Promise<void> | undefined;

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
    this.#insideArchives = execArchiveTransport(init.engine, init.containerId);
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
    return this.#checked('exec', findExecIssues(command, options, { buffered: true }), () =>
      runExec(command, options, { ...this.#context(), engine: this.#engine, containerId: this.containerId }),
    );
  }

  execStream(command: readonly string[], options: ExecOptions = {}): Promise<ExecProcess> {
    this.#assertAlive('execStream');
    return this.#checked('execStream', findExecIssues(command, options, { buffered: false }), () =>
      startExec(command, options, {
        ...this.#context(),
        engine: this.#engine,
        containerId: this.containerId,
        attachStdin: true,
      }),
    );
  }

  writeFiles(files: readonly FileEntry[], options: CallOptions = {}): Promise<void> {
    return this.#transfer(
      'writeFiles',
      options,
      (list) => checkFileEntries(list, files),
      (signal) =>
        this.#put(
          filesToTar(files),
          '/',
          signal,
          files.map((file) => file.path),
        ),
    );
  }

  readFile(path: string, options: CallOptions = {}): Promise<Buffer> {
    return this.#transfer(
      'readFile',
      options,
      (list) => list.absolutePath(path, 'path'),
      (signal) => this.#readFile(path, signal),
    );
  }

  /** Reads a regular file, following symlinks inside the sandbox as a process there would. */
  async #readFile(path: string, signal: AbortSignal | undefined): Promise<Buffer> {
    let current = path;
    for (let hops = 0; hops <= MAX_SYMLINK_HOPS; hops++) {
      const archived = await readArchivedPath(await this.#get(current, signal), current);
      if ('content' in archived) return archived.content;
      if (!('target' in archived)) throw new NotAFileError(path, archived.type, this.#context());
      current = posix.resolve(posix.dirname(current), archived.target);
    }
    throw new NotAFileError(path, `chain of more than ${MAX_SYMLINK_HOPS} symlinks`, this.#context());
  }

  copyDirectoryIn(hostDir: string, sandboxDir: string, options: CallOptions = {}): Promise<void> {
    return this.#transfer(
      'copyDirectoryIn',
      options,
      (list) => {
        list.text(hostDir, 'hostDir', 'a host directory path', { empty: false });
        list.absolutePath(sandboxDir, 'sandboxDir');
      },
      async (signal) => {
        const source = await stat(hostDir).catch((error: unknown) => {
          throw this.#copyError(error, `copy ${hostDir} into the sandbox`, hostDir);
        });
        if (!source.isDirectory()) {
          throw this.#copyError(
            new Error(`${hostDir} is not a directory`),
            `copy ${hostDir} into the sandbox`,
            hostDir,
          );
        }
        await this.exec(['mkdir', '-p', sandboxDir], signal ? { signal } : {}).catch(() => {
          // Images without mkdir: the copy below reports a missing directory clearly.
        });
        await this.#put(tarFs.pack(hostDir), sandboxDir, signal);
      },
    );
  }

  copyDirectoryOut(sandboxDir: string, hostDir: string, options: CallOptions = {}): Promise<void> {
    return this.#transfer(
      'copyDirectoryOut',
      options,
      (list) => {
        list.absolutePath(sandboxDir, 'sandboxDir');
        list.text(hostDir, 'hostDir', 'a host directory path', { empty: false });
      },
      async (signal) => {
        const tar = await this.#get(`${sandboxDir.replace(/\/+$/, '')}/.`, signal, sandboxDir);
        try {
          await extractArchive(tar, hostDir, signal);
        } catch (error) {
          signal?.throwIfAborted();
          throw this.#copyError(error, `copy ${sandboxDir} to ${hostDir}`, hostDir);
        }
      },
    );
  }

  putArchive(tar: Readable, sandboxDir: string, options: CallOptions = {}): Promise<void> {
    return this.#transfer(
      'putArchive',
      options,
      (list) => {
        list.readable(tar, 'tar', 'a Readable of a tar archive, e.g. tar-fs pack(dir)');
        list.absolutePath(sandboxDir, 'sandboxDir');
      },
      (signal) => this.#put(tar, sandboxDir, signal),
    );
  }

  getArchive(path: string, options: CallOptions = {}): Promise<Readable> {
    return this.#transfer(
      'getArchive',
      options,
      (list) => list.absolutePath(path, 'path'),
      (signal) => this.#get(path, signal),
    );
  }

  /** Rejects with `InvalidArgumentError` when the call's arguments have problems; otherwise runs it. */
  async #checked<T>(operation: string, issues: IssueList, run: () => Promise<T>): Promise<T> {
    issues.throwIfAny(operation, this.#context());
    return run();
  }

  /**
   * Runs a data transfer once its arguments are checked, with the caller's
   * signal and timeout; an abort becomes `CancelledError`.
   */
  async #transfer<T>(
    operation: string,
    options: CallOptions,
    check: (list: IssueList) => void,
    work: (signal: AbortSignal | undefined) => Promise<T>,
    otherOptionKeys: readonly string[] = [],
  ): Promise<T> {
    this.#assertAlive(operation);
    const list = new IssueList();
    check(list);
    checkCallOptions(list, options, otherOptionKeys);
    list.throwIfAny(operation, this.#context());
    const signal = combineSignals(options.signal, options.timeoutMs);
    try {
      signal?.throwIfAborted();
      return await work(signal);
    } catch (error) {
      if (signal?.aborted) throw new CancelledError(operation, signal.reason, this.#context());
      throw error;
    }
  }

  /**
   * The engine's archive API works on the container's root file system and its
   * volumes: what lives on the kernel's mounts under `/dev` (`/dev/shm` is a
   * tmpfs) it would write beside, invisible to the job. Those go through tar
   * inside the sandbox.
   */
  #transportFor(paths: readonly string[]): ArchiveTransport {
    const onDevMounts = paths.some((path) => /^\/+dev(\/|$)/.test(posix.normalize(path)));
    return onDevMounts ? this.#insideArchives : this.#archives;
  }

  async #put(
    tar: Readable,
    sandboxDir: string,
    signal: AbortSignal | undefined,
    paths: readonly string[] = [sandboxDir],
  ): Promise<void> {
    try {
      await this.#transportFor(paths).put(tar, sandboxDir, signal);
    } catch (error) {
      signal?.throwIfAborted();
      if (isMissingPath(error)) {
        throw new FileNotFoundError(sandboxDir, { ...this.#context(), cause: error });
      }
      throw this.#engineError(error, `copy files into ${sandboxDir}`);
    }
  }

  /** A tar stream of `path`; a missing path is a `FileNotFoundError` naming `shownPath`. */
  async #get(path: string, signal: AbortSignal | undefined, shownPath = path): Promise<Readable> {
    try {
      return await this.#transportFor([path]).get(path, signal);
    } catch (error) {
      signal?.throwIfAborted();
      if (isMissingPath(error)) {
        throw new FileNotFoundError(shownPath, { ...this.#context(), cause: error });
      }
      throw this.#engineError(error, `copy ${shownPath} out of the sandbox`);
    }
  }

  /**
   * A copy's failure: the engine's (its connection or its answer), or the host
   * side's (no space, no permission, a missing host directory, an archive entry
   * leading outside) as `CopyFailedError`.
   */
  #copyError(error: unknown, action: string, hostDir: string): SandkitError {
    if (SandkitError.is(error)) return error;
    if (isConnectionError(error) || (error as { statusCode?: unknown }).statusCode !== undefined) {
      return this.#engineError(error, action);
    }
    const code = (error as { code?: string }).code;
    return new CopyFailedError(
      `Could not ${action}${code === 'ENOSPC' ? ': no space left on the host' : ''}`,
      hostDir,
      { ...this.#context(), cause: error },
      (error as Error).message ?? String(error),
    );
  }

  logs(options: LogOptions & CallOptions = {}): Promise<{ stdout: string; stderr: string }> {
    const { signal: _signal, timeoutMs: _timeoutMs, ...query } = options;
    return this.#transfer(
      'logs',
      options,
      (list) => {
        if (query.tail !== undefined) list.integer(query.tail, 'options.tail', 0, MAX_TIMER_MS);
        if (query.timestamps !== undefined && typeof query.timestamps !== 'boolean')
          list.add(
            'options.timestamps',
            `expected a boolean, got ${typeof query.timestamps}`,
            'true or false',
          );
        if (query.since !== undefined && !(query.since instanceof Date) && typeof query.since !== 'number')
          list.add(
            'options.since',
            `expected a Date or a number, got ${typeof query.since}`,
            'a Date, or seconds since the epoch',
          );
      },
      (signal) =>
        raceSignal(readLogs(this.#engine, this.containerId, query), signal).catch((error: unknown) => {
          signal?.throwIfAborted();
          throw this.#engineError(error, 'read the sandbox logs');
        }),
      ['since', 'tail', 'timestamps'],
    );
  }

  followLogs(options: FollowLogOptions = {}): AsyncIterable<LogLine> {
    this.#assertAlive('followLogs');
    return followLogs(this.#engine, this.containerId, options);
  }

  async endpoint(port: number, protocol: 'tcp' | 'udp' = 'tcp'): Promise<Endpoint> {
    this.#assertAlive('endpoint');
    const info = await this.#container()
      .inspect()
      .catch((error: unknown) => {
        throw this.#engineError(error, 'look up the sandbox ports');
      });
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

  address(options: CallOptions = {}): Promise<string> {
    return this.#transfer(
      'address',
      options,
      () => {},
      async (signal) => {
        if (!this.#engine.isLocal) {
          throw new SandkitError(
            "The sandbox's own address is not reachable from this host: the engine is remote",
            this.#context(),
            "List the port in the spec's `ports` and use endpoint(), which returns the engine's published address.",
          );
        }
        const info = await raceSignal(this.#container().inspect(), signal).catch((error: unknown) => {
          signal?.throwIfAborted();
          throw this.#engineError(error, 'look up the sandbox address');
        });
        const address = Object.values(info.NetworkSettings.Networks ?? {}).find(
          (n) => n.IPAddress,
        )?.IPAddress;
        if (!address) {
          throw new SandkitError(
            'The sandbox has no IP address on any network',
            this.#context(),
            'Is it still running?',
          );
        }
        return address;
      },
    );
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
    // No arguments besides the options, which #transfer checks.
    return this.#transfer(
      'status',
      options,
      () => {},
      async (signal) => {
        const info = await ignoreMissing(
          this.#container().inspect(signal ? { abortSignal: signal } : {}),
        ).catch((error: unknown) => {
          throw this.#engineError(error, 'read the sandbox status');
        });
        // A container removed behind sandkit's back is a sandbox that no longer runs.
        if (!info) return { running: false, exitCode: undefined };
        return {
          running: info.State.Running,
          exitCode: info.State.Running ? undefined : info.State.ExitCode,
        };
      },
    );
  }

  /** Concurrent calls share one attempt; a failed attempt is not kept, so the next call tries again. */
  destroy(options: DestroyOptions = {}): Promise<void> {
    const list = new IssueList();
    const given = list.object(options, 'options', ['gracePeriodMs', 'timeoutMs', 'signal']);
    if (given?.gracePeriodMs !== undefined) {
      list.integer(options.gracePeriodMs, 'options.gracePeriodMs', 0, MAX_TIMER_MS);
    }
    if (given?.timeoutMs !== undefined) list.timeoutMs(options.timeoutMs, 'options.timeoutMs');
    if (given?.signal !== undefined) list.signal(options.signal, 'options.signal');
    try {
      list.throwIfAny('destroy', this.#context());
    } catch (error) {
      return Promise.reject(error);
    }
    this.#destroyed = true;
    this.#destroying ??= (async () => {
      try {
        if (options.gracePeriodMs) {
          await ignoreMissing(this.#container().stop({ t: Math.ceil(options.gracePeriodMs / 1000) })).catch(
            () => {
              // Not running any more: removing it below is all that is left.
            },
          );
        }
        await sweepByLabel(this.#engine, { sandbox: this.id });
        await this.#teardown();
      } catch (error) {
        throw this.#engineError(error, `destroy sandbox ${this.id}`);
      }
    })();
    this.#destroying.catch(() => {
      this.#destroying = undefined;
    });
    // Waiting may stop early (an engine that does not answer); the removal itself goes on.
    const stop = combineSignals(options.signal, options.timeoutMs);
    return raceSignal(this.#destroying, stop).catch((error: unknown) => {
      if (stop?.aborted) {
        throw new CancelledError('destroy', stop.reason, { ...this.#context(), removal: 'pending' });
      }
      throw error;
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.destroy();
  }

  #engineError(error: unknown, action: string): SandkitError {
    return toSandkitError(error, action, this.#engine, this.#context());
  }
}

/** Symlinks `readFile` follows before it gives up, as the kernel's limit on path resolution. */
const MAX_SYMLINK_HOPS = 40;
