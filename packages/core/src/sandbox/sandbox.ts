import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { BufferedExecOptions, ExecOptions, ExecProcess, ExecResult } from './exec-types.js';

/** A host-reachable address of a sandbox port. */
export interface Endpoint {
  host: string;
  port: number;
  /** `host:port`, IPv6 hosts in brackets. */
  toString(): string;
}

/** Options of {@link Sandbox.logs}. */
export interface LogOptions {
  /**
   * Only lines written at or after this time (Date, or seconds since the epoch).
   * @default the beginning
   */
  since?: Date | number;
  /**
   * Only the last N lines.
   * @default all
   */
  tail?: number;
  /**
   * Prefix each line with the engine's RFC 3339 timestamp.
   * @default false
   */
  timestamps?: boolean;
}

/** Options of {@link Sandbox.followLogs}. */
export interface FollowLogOptions extends LogOptions {
  /** Stops following when aborted. */
  signal?: AbortSignal;
}

/** A line of the sandbox's output. */
export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** The line without its trailing newline. */
  line: string;
}

/** A file written by {@link Sandbox.writeFiles}. */
export interface FileEntry {
  /** Absolute path inside the sandbox; parent directories are created. */
  path: string;
  content: string | Uint8Array;
  /**
   * Permission bits.
   * @default 0o644
   */
  mode?: number;
  /**
   * Owner uid.
   * @default 0
   */
  uid?: number;
  /**
   * Owner gid.
   * @default 0
   */
  gid?: number;
}

/** Options of sandbox calls that move data (copies, archives). */
export interface CallOptions {
  /** Cancels the call. */
  signal?: AbortSignal;
  /**
   * Cancels the call after this many milliseconds.
   * @default no timeout
   */
  timeoutMs?: number;
}

/** Options of {@link Sandbox.destroy}. */
export interface DestroyOptions {
  /**
   * Milliseconds the main process gets after SIGTERM before it is killed.
   * Throwaway sandboxes default to an immediate kill.
   * @default 0
   */
  gracePeriodMs?: number;
  /**
   * Stop waiting for the removal after this many milliseconds (`CancelledError`,
   * the removal going on); a later `destroy()` waits for it or tries again.
   * @default no limit
   */
  timeoutMs?: number;
  /** Stop waiting for the removal when aborted (as `timeoutMs` does). */
  signal?: AbortSignal;
}

/**
 * A throwaway environment on a Docker engine. The same contract holds on every
 * backend; `test/contract/` is its executable specification.
 *
 * Dispose it with `await using sb = await runtime.create(spec)` or call
 * {@link Sandbox.destroy}; both remove everything it created.
 */
export interface Sandbox extends AsyncDisposable {
  /** uuid v7, also the value of its `dev.sandkit.sandbox` label. */
  readonly id: string;
  /** Name of the runtime that created it. */
  readonly runtime: string;
  /** Engine id of the sandbox container. */
  readonly containerId: string;
  /** The image it was created from. */
  readonly image: string;
  /**
   * `DOCKER_HOST` for the engine the job's containers live in, or `undefined`
   * when the sandbox has no engine access (`docker: 'none'`).
   */
  readonly dockerHost: string | undefined;

  /**
   * Runs a command to completion, buffering its output.
   * @throws InvalidArgumentError before anything starts, when the command or an option is malformed.
   */
  exec(command: readonly string[], options?: BufferedExecOptions): Promise<ExecResult>;
  /**
   * Starts a command and hands over its streams.
   * @throws InvalidArgumentError before anything starts, when the command or an option is malformed.
   */
  execStream(command: readonly string[], options?: ExecOptions): Promise<ExecProcess>;

  /** Writes files (content given in memory), creating parent directories. */
  writeFiles(files: readonly FileEntry[], options?: CallOptions): Promise<void>;
  /**
   * Reads one regular file's content, following symlinks inside the sandbox.
   * @throws FileNotFoundError when the path does not exist; NotAFileError for a directory, device, ….
   */
  readFile(path: string, options?: CallOptions): Promise<Buffer>;
  /** Copies a host directory's contents into a sandbox directory (created if missing). */
  copyDirectoryIn(hostDir: string, sandboxDir: string, options?: CallOptions): Promise<void>;
  /**
   * Copies a sandbox directory's contents into a host directory (created if
   * missing, merged into if present). Symlinks are copied as symlinks with
   * their targets verbatim and never followed; devices and FIFOs are skipped.
   * The tree is received next to `hostDir` and moved in only once complete,
   * so a failed copy leaves `hostDir` as it was.
   * @throws FileNotFoundError when `sandboxDir` does not exist; CopyFailedError when the host side fails (e.g. ENOSPC).
   */
  copyDirectoryOut(sandboxDir: string, hostDir: string, options?: CallOptions): Promise<void>;
  /** Extracts a tar stream into a sandbox directory (which must exist). */
  putArchive(tar: Readable, sandboxDir: string, options?: CallOptions): Promise<void>;
  /** A tar stream of a sandbox path (file or directory, its base name at the archive's root). */
  getArchive(path: string, options?: CallOptions): Promise<Readable>;

  /** The main process's output so far. */
  logs(options?: LogOptions & CallOptions): Promise<{ stdout: string; stderr: string }>;
  /** The main process's output as lines, following new output until aborted or the sandbox stops. */
  followLogs(options?: FollowLogOptions): AsyncIterable<LogLine>;

  /** Host-reachable address of a port listed in the spec's `ports`. */
  endpoint(port: number, protocol?: 'tcp' | 'udp'): Promise<Endpoint>;
  /**
   * The sandbox's own IP address on its network, reachable from the engine's
   * host on any port (no publishing needed). This is where the host reaches
   * what containers of an isolated sandbox's inner daemon publish: after
   * `docker run -p 8080:80 …` inside, connect to `${await sb.address()}:8080`
   * (for testcontainers on the inner daemon, set
   * `TESTCONTAINERS_HOST_OVERRIDE` to it).
   * @throws SandkitError when the engine is remote (its containers' addresses
   * are not reachable from here: publish the port in the spec's `ports` and
   * use {@link Sandbox.endpoint}).
   */
  address(options?: CallOptions): Promise<string>;
  /**
   * A dockerode client for the engine the job's containers live in.
   * @throws SandkitError when the sandbox has no engine access (`docker: 'none'`).
   */
  docker(): Dockerode;

  /** Whether the sandbox's main process still runs, and its exit code once it stopped. */
  status(options?: CallOptions): Promise<SandboxStatus>;

  /**
   * Removes the sandbox and everything it created. Safe to call more than
   * once; concurrent calls share one attempt, and after a failed one (the
   * engine did not answer) the next call tries again.
   */
  destroy(options?: DestroyOptions): Promise<void>;
}

/** What {@link Sandbox.status} reports. */
export interface SandboxStatus {
  /** The main process runs (a sandbox whose main process exited can no longer run commands). */
  running: boolean;
  /** The main process's exit code, once it stopped. */
  exitCode: number | undefined;
}
