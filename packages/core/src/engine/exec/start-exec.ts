import { readdirSync, readFileSync } from 'node:fs';
import { type Duplex, PassThrough, Writable } from 'node:stream';
import { isTimeoutReason } from '../../errors/cancelled-error.js';
import type { SandkitErrorContext } from '../../errors/index.js';
import { ExecCancelledError, ExecTimedOutError } from '../../errors/index.js';
import type { ExecOptions, ExecProcess } from '../../sandbox/exec-types.js';
import { combineSignals, delay } from '../../util/abort.js';
import { demuxStream } from '../demux-stream.js';
import type { Engine } from '../engine.js';

/** How often a command whose output never ends is checked for having exited. */
const EXITED_POLL_MS = 1_000;
/** Output still arriving this long after the process exited is dropped (a background child holds the pipe). */
const LINGER_MS = 200;

/** Internal: what {@link startExec} needs besides the public options. */
export interface StartExecContext extends SandkitErrorContext {
  engine: Engine;
  containerId: string;
  /** Attach stdin (a Writable the caller ends); otherwise the command reads end-of-file. */
  attachStdin: boolean;
}

/**
 * Starts a command in a running container through the engine's exec API, with
 * demuxed output, a timeout and cancellation that kill the command, and no hang
 * when a background child keeps the output open after the command has exited.
 */
export async function startExec(
  command: readonly string[],
  options: ExecOptions,
  context: StartExecContext,
): Promise<ExecProcess> {
  const { engine, containerId } = context;
  const started = Date.now();
  if (options.signal?.aborted) {
    const result = { command, exitCode: undefined, stdout: '', stderr: '', durationMs: 0 };
    throw new ExecCancelledError({ ...context, result, cause: options.signal.reason });
  }
  const container = engine.docker.getContainer(containerId);
  const exec = await container.exec({
    Cmd: [...command],
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: context.attachStdin,
    Tty: false,
    ...(options.env ? { Env: Object.entries(options.env).map(([k, v]) => `${k}=${v}`) } : {}),
    ...(options.cwd ? { WorkingDir: options.cwd } : {}),
    ...(options.user ? { User: options.user } : {}),
  });
  const socket = (await exec.start({ hijack: true, stdin: context.attachStdin, Detach: false })) as Duplex;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = context.attachStdin ? socket : new Writable({ write: (_c, _e, cb) => cb() });

  const stop = combineSignals(options.signal, options.timeoutMs);
  let stoppedBy: unknown;
  let killed = false;
  const kill = async () => {
    killed = true;
    try {
      const { Pid } = await exec.inspect();
      // The exec's pid is a host pid; only a local engine shares our pid namespace.
      if (engine.isLocal && Pid > 0) killProcessTree(Pid);
    } catch {
      // already gone
    }
    socket.destroy();
  };
  const onStop = () => {
    stoppedBy = stop?.reason;
    void kill();
  };
  stop?.addEventListener('abort', onStop, { once: true });

  const outputDone = demuxStream(socket, stdout, stderr);
  const exited = (async () => {
    try {
      const exitCode = await waitForExit(
        exec,
        outputDone,
        () => socket.destroy(),
        stop,
        () => killed,
      );
      if (stoppedBy !== undefined) throw stoppedBy;
      return { exitCode, durationMs: Date.now() - started };
    } catch (error) {
      const reason = stoppedBy ?? error;
      if (stoppedBy === undefined) throw error;
      const result = {
        command,
        exitCode: undefined,
        stdout: '',
        stderr: '',
        durationMs: Date.now() - started,
      };
      throw isTimeoutReason(reason) && options.timeoutMs !== undefined && !options.signal?.aborted
        ? new ExecTimedOutError(options.timeoutMs, { ...context, result, cause: reason })
        : new ExecCancelledError({ ...context, result, cause: reason });
    } finally {
      stop?.removeEventListener('abort', onStop);
      stdout.end();
      stderr.end();
    }
  })();
  exited.catch(() => {});
  return { stdout, stderr, stdin, exited, kill };
}

/** SIGKILLs a host process and every descendant of it (read from /proc), deepest first. */
function killProcessTree(pid: number): void {
  const children = new Map<number, number[]>();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      } catch {
        // exited meanwhile
      }
    }
  } catch {
    // no /proc: kill the process alone
  }
  const visit = (p: number) => {
    for (const child of children.get(p) ?? []) visit(child);
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  visit(pid);
}

async function waitForExit(
  exec: { inspect(): Promise<{ Running: boolean; ExitCode: number | null }> },
  outputDone: Promise<void>,
  dropOutput: () => void,
  stop: AbortSignal | undefined,
  wasKilled: () => boolean,
): Promise<number | undefined> {
  let outputEnded = false;
  void outputDone.then(
    () => {
      outputEnded = true;
    },
    () => {
      outputEnded = true;
    },
  );
  // Normal case: output ends when the process exits. Meanwhile, poll slowly in case a
  // background child keeps the pipe open after the command itself has exited.
  const poller = new AbortController();
  const exitedWithOpenOutput = (async () => {
    for (;;) {
      await delay(EXITED_POLL_MS, poller.signal);
      const state = await exec.inspect();
      if (!state.Running) {
        await delay(LINGER_MS, poller.signal);
        if (!outputEnded) dropOutput();
        return;
      }
    }
  })();
  exitedWithOpenOutput.catch(() => {});
  try {
    await Promise.race([outputDone, exitedWithOpenOutput]);
  } finally {
    poller.abort();
  }
  await outputDone.catch(() => {});
  if (stop?.aborted) throw stop.reason;
  // The output can end a moment before the engine records the exit.
  for (let attempt = 0; ; attempt++) {
    const state = await exec.inspect();
    if (!state.Running && state.ExitCode !== null) return state.ExitCode;
    // A command we killed whose exit the engine has not recorded yet (e.g. it waits on a
    // grandchild's output) has still ended for the caller.
    if (wasKilled() && attempt > 40) return undefined;
    if (attempt > 200) throw new Error('the engine never reported the command as exited');
    await delay(attempt < 10 ? 5 : 50);
  }
}
