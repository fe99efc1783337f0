import { type Duplex, PassThrough, Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import { isTimeoutReason } from '../../errors/cancelled-error.js';
import type { SandkitErrorContext } from '../../errors/index.js';
import { ExecCancelledError, ExecTimedOutError } from '../../errors/index.js';
import type { ExecOptions, ExecProcess } from '../../sandbox/exec-types.js';
import { combineSignals, delay } from '../../util/abort.js';
import { demuxStream } from '../demux-stream.js';
import type { Engine } from '../engine.js';
import { toSandkitError } from '../to-sandkit-error.js';
import { unlessEngineHangs } from '../unless-engine-hangs.js';
import { EXEC_MARKER_VARIABLE, killMarkedProcesses, newExecMarker } from './kill-marked-processes.js';
import { killProcessTree } from './kill-process-tree.js';

/** A signal that never aborts, for calls without a deadline. */
const NEVER = new AbortController().signal;

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
 *
 * `timeoutMs` and `signal` count from this call. Stopped before the engine has
 * started the command, it never starts; stopped later, its process tree is
 * killed before `exited` rejects, however early the stop came.
 */
export async function startExec(
  command: readonly string[],
  options: ExecOptions,
  context: StartExecContext,
): Promise<ExecProcess> {
  const { engine, containerId } = context;
  const started = Date.now();
  const stop = combineSignals(options.signal, options.timeoutMs);
  const stopped = (reason: unknown) => {
    const result = { command, exitCode: undefined, stdout: '', stderr: '', durationMs: Date.now() - started };
    return isTimeoutReason(reason) && options.timeoutMs !== undefined && !options.signal?.aborted
      ? new ExecTimedOutError(options.timeoutMs, { ...context, result, cause: reason })
      : new ExecCancelledError({ ...context, result, cause: reason });
  };
  const failed = (error: unknown, action: string) => toSandkitError(error, action, engine, context);
  if (stop?.aborted) throw stopped(stop.reason);

  // Marks the command's processes, so they can be killed from inside the sandbox when host PIDs can't be.
  const marker = newExecMarker();
  const begin = async (): Promise<{ exec: Dockerode.Exec; socket: Duplex }> => {
    let exec: Dockerode.Exec;
    try {
      exec = await engine.docker.getContainer(containerId).exec({
        Cmd: [...command],
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: context.attachStdin,
        Tty: false,
        Env: [
          ...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
          `${EXEC_MARKER_VARIABLE}=${marker}`,
        ],
        ...(options.cwd ? { WorkingDir: options.cwd } : {}),
        ...(options.user ? { User: options.user } : {}),
      });
    } catch (error) {
      throw failed(error, 'run a command in the sandbox');
    }
    // A created exec runs nothing until it is started: stopped now (the engine may only have
    // answered long after the deadline), nothing is left behind.
    if (stop?.aborted) throw stopped(stop.reason);
    try {
      return {
        exec,
        socket: (await exec.start({ hijack: true, stdin: context.attachStdin, Detach: false })) as Duplex,
      };
    } catch (error) {
      throw failed(error, 'run a command in the sandbox');
    }
  };
  // The deadline holds while the engine does not answer: a start the engine finishes later is killed then.
  const { exec, socket } = await unlessEngineHangs(engine, begin(), stop ?? NEVER, {
    hung: () => stopped(stop?.reason),
    abandoned: async (late) => {
      await killExec(late.exec, engine, { containerId, marker }, () => late.socket.destroy());
    },
  });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = context.attachStdin ? socket : new Writable({ write: (_c, _e, cb) => cb() });

  let stoppedBy: unknown;
  let killing: Promise<void> | undefined;
  const kill = () => {
    killing ??= killExec(exec, engine, { containerId, marker }, () => socket.destroy());
    return killing;
  };
  const onStop = () => {
    stoppedBy = stop?.reason;
    void kill();
  };
  stop?.addEventListener('abort', onStop, { once: true });
  // Stopped while the engine was starting it: the listener above came too late to hear it.
  if (stop?.aborted) onStop();

  const outputDone = demuxStream(socket, stdout, stderr);
  const running = (async () => {
    try {
      const exitCode = await waitForExit(
        exec,
        outputDone,
        () => socket.destroy(),
        stop,
        () => killing !== undefined,
      );
      if (stoppedBy !== undefined) throw stoppedBy;
      return { exitCode, durationMs: Date.now() - started };
    } catch (error) {
      if (stoppedBy === undefined) throw failed(error, 'wait for the command to exit');
      // The caller hears of the stop only once the command's processes are gone.
      await killing;
      throw stopped(stoppedBy);
    } finally {
      stop?.removeEventListener('abort', onStop);
      stdout.end();
      stderr.end();
    }
  })();
  // Stopped while the engine does not answer, the caller is told on time; the kill goes on.
  const exited = unlessEngineHangs(engine, running, stop ?? NEVER, {
    hung: () => {
      socket.destroy();
      return stopped(stop?.reason);
    },
    abandoned: async () => {},
  });
  running.catch(() => {});
  exited.catch(() => {});
  return { stdout, stderr, stdin, exited, kill };
}

/** How long a started exec may take to get a process before killing it gives up. */
const KILL_WAIT_MS = 5_000;

/**
 * Kills a started exec's process tree, then drops its output. The engine
 * answers `start` before the process exists, so an early kill first waits
 * for the engine to report its pid (or its exit).
 */
async function killExec(
  exec: Dockerode.Exec,
  engine: Engine,
  target: { containerId: string; marker: string },
  dropOutput: () => void,
): Promise<void> {
  const deadline = Date.now() + KILL_WAIT_MS;
  try {
    for (;;) {
      const { Pid, Running, ExitCode } = await exec.inspect();
      // The exec's pid is a host pid: only a local engine shares our pid namespace, and only root
      // may signal it. Otherwise the tree is killed from inside the sandbox, by its marker.
      if (Pid > 0) {
        if (!(engine.isLocal && killProcessTree(Pid))) {
          await killMarkedProcesses(engine, target.containerId, target.marker);
        }
        return;
      }
      if ((!Running && ExitCode !== null) || Date.now() > deadline) return;
      await delay(10);
    }
  } catch {
    // the exec or its container is gone
  } finally {
    dropOutput();
  }
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
