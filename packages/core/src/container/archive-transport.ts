import { Readable } from 'node:stream';
import type { Engine } from '../engine/engine.js';
import { runExec } from '../engine/exec/run-exec.js';
import { startExec } from '../engine/exec/start-exec.js';
import { isMissingContainer } from '../engine/to-sandkit-error.js';

/**
 * How tar archives get into and out of a sandbox's file system. Errors are the
 * engine's or the command's own; the sandbox turns them into sandkit errors.
 */
export interface ArchiveTransport {
  /** Extracts `tar` into `sandboxDir`, which must exist; owners and modes are kept as the archive says. */
  put(tar: Readable, sandboxDir: string, signal: AbortSignal | undefined): Promise<void>;
  /** A tar stream of `path` (its last component at the root of the archive; `dir/.` for a directory's content). */
  get(path: string, signal: AbortSignal | undefined): Promise<Readable>;
}

/**
 * Which {@link ArchiveTransport} a sandbox uses:
 * - `'engine'`: the engine's archive API, which reads and writes the container's
 *   file system from the host. Fast, and needs nothing in the image.
 * - `'exec'`: `tar` run inside the sandbox, so copies see exactly what the job
 *   sees (its mounts, its user namespace's owners). Needed where the host's view
 *   of a running container's file system is not the job's: under Sysbox without
 *   shiftfs, the engine's overlay mount misses what the job wrote into directories
 *   it looked up before start, and its copies carry host uids.
 */
export type ArchiveTransportKind = 'engine' | 'exec';

// Archive streams are aborted through the HTTP request itself: the engine holds the container's
// lock while it streams, so an abandoned request would block every later call on the container.
/** The engine's archive API. */
export function engineArchiveTransport(engine: Engine, containerId: string): ArchiveTransport {
  const container = () => engine.docker.getContainer(containerId);
  return {
    async put(tar, sandboxDir, signal) {
      await container().putArchive(tar, { path: sandboxDir, ...(signal ? { abortSignal: signal } : {}) });
    },
    async get(path, signal) {
      return (await container().getArchive({
        path,
        ...(signal ? { abortSignal: signal } : {}),
      })) as unknown as Readable;
    },
  };
}

/** The sandbox's root, by number: copies must be able to set any owner, whatever the sandbox's user. */
const ROOT = '0:0';

/** `tar` inside the sandbox, over exec. */
export function execArchiveTransport(engine: Engine, containerId: string): ArchiveTransport {
  const context = { engine, containerId };
  return {
    async put(tar, sandboxDir, signal) {
      const result = await runExec(
        ['tar', '-x', '--numeric-owner', '-f', '-', '-C', sandboxDir],
        // Archives from other stream libraries (tar-fs, tar-stream) are read through a Node stream.
        {
          stdin: tar instanceof Readable ? tar : Readable.from(tar),
          user: ROOT,
          reject: false,
          ...(signal ? { signal } : {}),
        },
        context,
      );
      if (result.exitCode !== 0) throw tarError(result.stderr, result.exitCode);
    },
    async get(path, signal) {
      const trimmed = path.replace(/\/+$/, '') || '/';
      const [directory, name] = trimmed.endsWith('/.')
        ? [trimmed.slice(0, -2) || '/', '.']
        : [trimmed.slice(0, trimmed.lastIndexOf('/')) || '/', trimmed.slice(trimmed.lastIndexOf('/') + 1)];
      const process = await startExec(
        ['tar', '-c', '-f', '-', '-C', directory, name],
        { user: ROOT, ...(signal ? { signal } : {}) },
        { ...context, attachStdin: false },
      );
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        if (signal?.aborted) reject(signal.reason);
        onAbort = () => reject(signal?.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => {});
      // A long-lived signal (a cluster's, a session's) must not collect one listener per read.
      const stopListening = () => {
        if (onAbort) signal?.removeEventListener('abort', onAbort);
      };
      let stderr = '';
      process.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      try {
        // A tar that fails (a missing path) writes nothing: report its error instead of an empty archive.
        const readable = new Promise<void>((resolve) => process.stdout.once('readable', resolve));
        await Promise.race([readable, process.exited, aborted]);
        if (process.stdout.readableLength === 0) {
          const { exitCode } = await Promise.race([process.exited, aborted]);
          if (exitCode !== 0) throw tarError(stderr, exitCode);
        }
      } catch (error) {
        stopListening();
        process.stdout.destroy();
        process.exited.catch(() => {});
        await process.kill().catch(() => {});
        throw error;
      }
      // From here the caller consumes the archive: an abort or a failing tar ends it with an error,
      // not with a clean (truncated) end.
      aborted.catch((reason: unknown) => process.stdout.destroy(reason as Error));
      process.stdout.once('close', stopListening);
      return process.stdout;
    },
  };
}

/** A transport's report that a path does not exist in the sandbox. */
class MissingPathError extends Error {}

/**
 * Whether a transport failed because the path (or the directory to extract
 * into) does not exist in the sandbox: the engine's 404 for a path (not for
 * the container itself), or tar's "No such file or directory".
 */
export function isMissingPath(error: unknown): boolean {
  return (
    error instanceof MissingPathError ||
    ((error as { statusCode?: unknown })?.statusCode === 404 && !isMissingContainer(error))
  );
}

/** The error of a tar that failed inside the sandbox. */
function tarError(stderr: string, exitCode: number | undefined): Error {
  const message = tarFailure(stderr, exitCode);
  return /no such file or directory/i.test(stderr) ? new MissingPathError(message) : new Error(message);
}

function tarFailure(stderr: string, exitCode: number | undefined): string {
  const said = stderr.trim();
  if (/executable file not found/i.test(said))
    return `the sandbox image has no tar, which copies into this sandbox need (${said})`;
  return said || `tar exited with ${exitCode ?? 'a signal'}`;
}
