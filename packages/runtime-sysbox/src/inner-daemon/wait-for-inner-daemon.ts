import type { Engine, SandkitErrorContext } from '@sandkit/core';
import { assertStillRunning, delay, runExec, withTimeout } from '@sandkit/core/runtime';
import type Dockerode from 'dockerode';

const POLL_MS = 100;
/** Every this many polls, also ask inside the sandbox (costs an exec) and check the main process. */
const INSIDE_CHECK_EVERY = 10;

/** How the inner daemon turned out to be reachable from this process. */
export type InnerDaemonPath = 'host-socket' | 'relay';

/**
 * Waits until the inner daemon answers `/_ping` — the only readiness that
 * counts (a running process or an existing socket file is not).
 *
 * With a host socket it pings that (cheap, every 100 ms). Every second it also
 * asks inside the sandbox; if the daemon answers there but the host socket
 * still does not, the socket cannot be reached from here and the caller should
 * use the exec relay. Fails fast with `StartFailedError` and the log tail if the
 * sandbox's main process exits; rejects with the signal's reason when aborted.
 */
export async function waitForInnerDaemon(args: {
  engine: Engine;
  containerId: string;
  /** A client on the bind-mounted host socket, when there is one. */
  hostClient: Dockerode | undefined;
  signal: AbortSignal;
  context: SandkitErrorContext;
}): Promise<InnerDaemonPath> {
  const { engine, containerId, hostClient, signal, context } = args;
  let upInside = 0;
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    if (hostClient && (await answers(hostClient, signal))) return 'host-socket';
    if (!hostClient || attempt % INSIDE_CHECK_EVERY === 0) {
      await assertStillRunning(engine, containerId, context);
      const inside = await runExec(
        ['docker', 'version', '--format', '{{.Server.Version}}'],
        { reject: false, signal },
        {
          ...context,
          engine,
          containerId,
        },
      ).catch(() => undefined);
      if (inside?.exitCode === 0) {
        if (!hostClient) return 'relay';
        // Up inside for two checks in a row while the host socket stays silent: unreachable from here.
        if (++upInside >= 2) return 'relay';
      }
    }
    await delay(POLL_MS, signal);
  }
}

async function answers(client: Dockerode, signal: AbortSignal): Promise<boolean> {
  try {
    await withTimeout(client.ping(), 2_000, signal);
    return true;
  } catch {
    signal.throwIfAborted();
    return false;
  }
}
