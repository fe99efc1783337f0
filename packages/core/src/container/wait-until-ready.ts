import { createConnection } from 'node:net';
import { followLogs, logTail } from '../engine/container-logs.js';
import type { Engine } from '../engine/engine.js';
import { runExec } from '../engine/exec/run-exec.js';
import { type SandkitErrorContext, StartFailedError } from '../errors/index.js';
import type { Readiness } from '../spec/sandbox-spec.js';
import { delay, raceSignal } from '../util/abort.js';

const POLL_MS = 100;

/**
 * Throws {@link StartFailedError}, with the exit code and a log tail, when the
 * container's main process is no longer running; returns its state otherwise.
 */
export async function assertStillRunning(engine: Engine, containerId: string, context: SandkitErrorContext) {
  const { State } = await engine.docker.getContainer(containerId).inspect();
  if (!State.Running) {
    throw new StartFailedError(
      `The sandbox's main process exited with code ${State.ExitCode} before it was ready${State.Error ? ` (${State.Error})` : ''}`,
      { ...context, containerId, logTail: await logTail(engine, containerId) },
    );
  }
  return State;
}

/**
 * Waits until the started container meets its readiness condition. Fails fast
 * with {@link StartFailedError} (and a log tail) when the main process exits;
 * rejects with the signal's reason when aborted.
 */
export async function waitUntilReady(
  engine: Engine,
  containerId: string,
  readiness: Readiness | undefined,
  signal: AbortSignal | undefined,
  context: SandkitErrorContext,
): Promise<void> {
  const assertRunning = () => assertStillRunning(engine, containerId, context);
  await assertRunning();
  if (!readiness) return;

  if ('log' in readiness) {
    const pattern =
      typeof readiness.log === 'string' ? new RegExp(escapeRegExp(readiness.log)) : readiness.log;
    let seen = 0;
    for await (const { line } of followLogs(engine, containerId, signal ? { signal } : {})) {
      if (pattern.test(line) && ++seen >= (readiness.times ?? 1)) return;
    }
    signal?.throwIfAborted();
    await assertRunning();
    throw new StartFailedError(`The sandbox's output ended before it matched ${pattern}`, {
      ...context,
      containerId,
      logTail: await logTail(engine, containerId),
    });
  }

  let address: { host: string; port: number } | undefined;
  for (;;) {
    signal?.throwIfAborted();
    const state = await assertRunning();
    if ('exec' in readiness) {
      // The main process can exit between the check above and the exec: report that, not the failed exec.
      const result = await runExec(
        readiness.exec,
        { reject: false, ...(signal ? { signal } : {}) },
        { ...context, engine, containerId },
      ).catch(async (error: unknown) => {
        await assertRunning();
        throw error;
      });
      if (result.exitCode === 0) return;
    } else if ('healthcheck' in readiness) {
      const status = (state as { Health?: { Status?: string } }).Health?.Status;
      if (status === undefined) {
        throw new StartFailedError(
          'readiness asks for the healthcheck, but the image defines no HEALTHCHECK',
          { ...context, containerId },
        );
      }
      if (status === 'healthy') return;
      if (status === 'unhealthy') {
        throw new StartFailedError('The sandbox\'s healthcheck reported "unhealthy"', {
          ...context,
          containerId,
          logTail: await logTail(engine, containerId),
        });
      }
    } else {
      address ??= await directAddress(engine, containerId, readiness.port);
      if (await canConnect(address, signal)) return;
    }
    await delay(POLL_MS, signal);
  }
}

/**
 * Where to probe a port without the engine's userland proxy, which accepts
 * connections on published ports even when nothing listens inside: the
 * container's own address on a local engine, else the published port.
 */
async function directAddress(
  engine: Engine,
  containerId: string,
  port: number,
): Promise<{ host: string; port: number }> {
  const info = await engine.docker.getContainer(containerId).inspect();
  if (engine.isLocal) {
    for (const network of Object.values(info.NetworkSettings.Networks ?? {})) {
      if (network.IPAddress) return { host: network.IPAddress, port };
    }
  }
  const binding = info.NetworkSettings.Ports?.[`${port}/tcp`]?.[0];
  if (!binding) throw new Error(`readiness port ${port} is not published (add it to spec.ports)`);
  return { host: engine.publishedPortHost, port: Number(binding.HostPort) };
}

function canConnect(
  address: { host: string; port: number },
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const attempt = new Promise<boolean>((resolve) => {
    const socket = createConnection(address);
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
  return raceSignal(attempt, signal);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
