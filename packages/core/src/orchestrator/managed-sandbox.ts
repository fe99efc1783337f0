import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type PQueue from 'p-queue';
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

/**
 * A sandbox handed out by `Sandkit`: the runtime's sandbox, with commands run
 * through the orchestrator's exec queue and destruction reported back.
 */
export class ManagedSandbox implements Sandbox {
  readonly #inner: Sandbox;
  readonly #execQueue: PQueue;
  readonly #onDestroy: (destroy: () => Promise<void>) => Promise<void>;
  /** Whether destroy() was called (even if it failed and may be retried). */
  #destroyed = false;
  #destroying: Promise<void> | undefined;

  constructor(inner: Sandbox, execQueue: PQueue, onDestroy: (destroy: () => Promise<void>) => Promise<void>) {
    this.#inner = inner;
    this.#execQueue = execQueue;
    this.#onDestroy = onDestroy;
  }

  get id(): string {
    return this.#inner.id;
  }
  get runtime(): string {
    return this.#inner.runtime;
  }
  get containerId(): string {
    return this.#inner.containerId;
  }
  get image(): string {
    return this.#inner.image;
  }
  get dockerHost(): string | undefined {
    return this.#inner.dockerHost;
  }

  // A destroyed sandbox refuses at once, as the runtime's own sandbox does, rather than after queueing.
  exec(command: readonly string[], options: BufferedExecOptions = {}): Promise<ExecResult> {
    if (this.#destroyed) return this.#inner.exec(command, options);
    return this.#execQueue.add(() => this.#inner.exec(command, options));
  }
  execStream(command: readonly string[], options: ExecOptions = {}): Promise<ExecProcess> {
    if (this.#destroyed) return this.#inner.execStream(command, options);
    return this.#execQueue.add(() => this.#inner.execStream(command, options));
  }
  writeFiles(files: readonly FileEntry[], options?: CallOptions): Promise<void> {
    return this.#inner.writeFiles(files, options);
  }
  readFile(path: string, options?: CallOptions): Promise<Buffer> {
    return this.#inner.readFile(path, options);
  }
  copyDirectoryIn(hostDir: string, sandboxDir: string, options?: CallOptions): Promise<void> {
    return this.#inner.copyDirectoryIn(hostDir, sandboxDir, options);
  }
  copyDirectoryOut(sandboxDir: string, hostDir: string, options?: CallOptions): Promise<void> {
    return this.#inner.copyDirectoryOut(sandboxDir, hostDir, options);
  }
  putArchive(tar: Readable, sandboxDir: string, options?: CallOptions): Promise<void> {
    return this.#inner.putArchive(tar, sandboxDir, options);
  }
  getArchive(path: string, options?: CallOptions): Promise<Readable> {
    return this.#inner.getArchive(path, options);
  }
  logs(options?: LogOptions & CallOptions): Promise<{ stdout: string; stderr: string }> {
    return this.#inner.logs(options);
  }
  followLogs(options?: FollowLogOptions): AsyncIterable<LogLine> {
    return this.#inner.followLogs(options);
  }
  endpoint(port: number, protocol?: 'tcp' | 'udp'): Promise<Endpoint> {
    return this.#inner.endpoint(port, protocol);
  }
  address(options?: CallOptions): Promise<string> {
    return this.#inner.address(options);
  }
  docker(): Dockerode {
    return this.#inner.docker();
  }
  status(options?: CallOptions): Promise<SandboxStatus> {
    return this.#inner.status(options);
  }
  /** Concurrent calls share one attempt; after a failed one, the next call tries again. */
  destroy(options?: DestroyOptions): Promise<void> {
    this.#destroyed = true;
    this.#destroying ??= this.#onDestroy(() => this.#inner.destroy(options));
    this.#destroying.catch(() => {
      this.#destroying = undefined;
    });
    return this.#destroying;
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.destroy();
  }
}
