import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EngineConnection } from '../engine/engine.js';
import { processStartTime, type Session } from '../labels/sandkit-labels.js';

/** What the watchdog process is told when it starts (passed in the environment). */
export interface WatchdogConfig {
  session: string;
  ownerPid: number;
  /** Start time of the owner (clock ticks since boot), so a reused pid is not taken for it. */
  ownerStart: string | undefined;
  /** The engines to sweep on (those of the owner's runtimes), TLS settings included. */
  engines: EngineConnection[];
  /**
   * How often the owner's liveness is checked.
   * @default 250
   */
  pollMs?: number;
  /**
   * How often expired sandboxes of the session are removed while the owner lives.
   * @default 5_000
   */
  ttlCheckMs?: number;
}

/** Environment variable that carries the {@link WatchdogConfig}. */
export const WATCHDOG_ENV = 'SANDKIT_WATCHDOG';

/** A started watchdog. */
export interface Watchdog {
  readonly pid: number;
  /** Tells the watchdog its owner shut down cleanly; it exits without sweeping. */
  stop(): void;
}

/**
 * Starts a detached watchdog process for a session: a plain Node process (no
 * sidecar image, no socket mount) in its own process group, so it outlives
 * its owner however the owner dies — kill -9 included. When the owner is gone
 * it sweeps every object of the session from the engine and the host, then
 * exits. While the owner lives it removes the session's expired sandboxes.
 */
export function startWatchdog(
  session: Session,
  engines: EngineConnection[],
  options: Partial<WatchdogConfig> = {},
): Watchdog {
  const config: WatchdogConfig = {
    session: session.id,
    ownerPid: process.pid,
    ownerStart: processStartTime(process.pid),
    engines,
    ...options,
  };
  const child = spawn(process.execPath, [fileURLToPath(new URL('./watchdog-main.js', import.meta.url))], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [WATCHDOG_ENV]: JSON.stringify(config) },
  });
  child.unref();
  const pid = child.pid ?? -1;
  return {
    pid,
    stop: () => {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}
