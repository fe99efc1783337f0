import type { Engine } from '@sandkit/core';
import { execa } from 'execa';

/** What the engine says about the Sysbox runtime. */
export interface SysboxDetection {
  /** Whether the engine lists the runtime. */
  installed: boolean;
  /** Runtime path the engine has registered, when listed. */
  path?: string;
  /** `sysbox-runc --version` output, when the engine is local and the binary answers. */
  version?: string;
}

/**
 * Detects Sysbox the way that counts: the engine's `GET /info` lists the
 * runtime. The version is read from the binary only on a local engine.
 */
export async function detectSysbox(engine: Engine, runtimeName: string): Promise<SysboxDetection> {
  const info = await engine.docker.info();
  const runtime = (info.Runtimes as Record<string, { path?: string }> | undefined)?.[runtimeName];
  if (!runtime) return { installed: false };
  const path = runtime.path ?? runtimeName;
  if (!engine.isLocal) return { installed: true, path };
  const { stdout, exitCode } = await execa(path, ['--version'], { reject: false, timeout: 5_000 });
  return exitCode === 0
    ? { installed: true, path, version: stdout.split('\n')[0]?.trim() ?? '' }
    : { installed: true, path };
}
