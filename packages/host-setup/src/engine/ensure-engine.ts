import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Engine, EngineUnreachableError, SandkitError } from '@sandkit/core';
import { connectEngine, delay, withFileLock } from '@sandkit/core/runtime';
import { canInstallDebianPackages, ensureDebianPackages } from '../packages/ensure-debian-packages.js';

/** Options of {@link ensureEngine}. */
export interface EnsureEngineOptions {
  /** Receives progress lines. @default no output */
  log?: (line: string) => void;
  /**
   * How long a started `dockerd` gets to answer `/_ping`.
   * @default 60_000
   */
  startTimeoutMs?: number;
  /**
   * Where a started `dockerd` writes its log.
   * @default '/var/log/sandkit/dockerd.log'
   */
  logFile?: string;
  signal?: AbortSignal;
}

/**
 * Returns a Docker engine that answers, starting one if needed: the engine at
 * `DOCKER_HOST` or the default socket when it answers (fast path: one ping);
 * otherwise, as root on Debian/Ubuntu, installs `docker.io` if missing and
 * starts `dockerd` in the background. Idempotent and safe across processes.
 * @throws EngineUnreachableError saying what to do when it cannot start one
 */
export async function ensureEngine(options: EnsureEngineOptions = {}): Promise<Engine> {
  const log = options.log ?? (() => {});
  try {
    return await connectEngine({
      pingTimeoutMs: 3_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (!EngineUnreachableError.is(error)) throw error;
    if (process.env.DOCKER_HOST && !process.env.DOCKER_HOST.startsWith('unix://')) throw error;
    if (!canInstallDebianPackages()) {
      throw new EngineUnreachableError(
        error.attempts,
        'sandkit can start an engine itself only as root on Debian/Ubuntu. Install and start Docker ' +
          '(https://docs.docker.com/engine/install/), add your user to the "docker" group, or set DOCKER_HOST.',
      );
    }
  }
  return withFileLock(join(tmpdir(), 'sandkit-engine.lock'), async () => {
    // Another process may have started it while we waited for the lock.
    try {
      return await connectEngine({ pingTimeoutMs: 3_000 });
    } catch {}
    await ensureDebianPackages(
      { '/usr/sbin/dockerd': 'docker.io' },
      { log, ...(options.signal ? { signal: options.signal } : {}) },
    );
    return startDockerd(options, log);
  });
}

async function startDockerd(options: EnsureEngineOptions, log: (line: string) => void): Promise<Engine> {
  const logFile = options.logFile ?? '/var/log/sandkit/dockerd.log';
  mkdirSync(dirname(logFile), { recursive: true });
  const out = openSync(logFile, 'a');
  log(`starting dockerd (log: ${logFile})`);
  const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', out, out] });
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `dockerd exited with ${signal ?? `code ${code}`}`;
  });
  child.unref();
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    try {
      const engine = await connectEngine({ pingTimeoutMs: 2_000 });
      log(`dockerd is up at ${engine.address}`);
      return engine;
    } catch {}
    if (exited || Date.now() > deadline) {
      const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
      throw new SandkitError(
        exited
          ? `${exited} before it answered`
          : `dockerd did not answer /_ping within ${options.startTimeoutMs ?? 60_000} ms`,
        {},
        `Last lines of ${logFile}:\n${tail}`,
      );
    }
    await delay(200, options.signal);
  }
}
