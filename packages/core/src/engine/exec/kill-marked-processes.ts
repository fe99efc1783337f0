import { randomBytes } from 'node:crypto';
import type { Engine } from '../engine.js';

/** The environment variable that marks every process of one exec (children inherit it). */
export const EXEC_MARKER_VARIABLE = 'SANDKIT_EXEC_ID';

/** A fresh marker value for one exec. */
export function newExecMarker(): string {
  return randomBytes(8).toString('hex');
}

/**
 * Kills, from inside the sandbox's own PID namespace, every process whose
 * environment carries the exec's marker: the command and all its descendants
 * (stopped first, then killed, so none forks away). For engines whose host
 * PIDs this process cannot signal: a remote engine, or a local one without
 * root. Needs `sh`, `tr`, `grep` and `kill` in the sandbox (busybox has them).
 */
export async function killMarkedProcesses(
  engine: Engine,
  containerId: string,
  marker: string,
): Promise<void> {
  const script = [
    `m=${EXEC_MARKER_VARIABLE}=${marker}`,
    'for s in STOP KILL; do',
    '  for d in /proc/[0-9]*; do',
    '    p=$(basename "$d")',
    '    tr "\\000" "\\n" < "$d/environ" 2>/dev/null | grep -qx "$m" && kill -"$s" "$p" 2>/dev/null',
    '  done',
    'done',
    'true',
  ].join('\n');
  const exec = await engine.docker.getContainer(containerId).exec({
    Cmd: ['sh', '-c', script],
    User: '0',
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
    stream.resume();
  });
}
