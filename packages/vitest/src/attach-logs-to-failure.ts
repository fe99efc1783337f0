import type { Sandbox } from '@sandkit/core';
import type { RunnerTestCase } from 'vitest';

/**
 * Adds the sandbox's last log lines to a failed test's first error, so the
 * failure output shows what the sandbox said. A sandbox whose logs cannot be
 * read (it is gone, the engine does not answer) says why instead.
 */
export async function attachLogsToFailure(
  task: RunnerTestCase,
  sandbox: Sandbox,
  lines: number,
): Promise<void> {
  const error = task.result?.errors?.[0];
  if (!error) return;
  const logs = await sandbox.logs({ tail: lines, timeoutMs: 5_000 }).then(
    ({ stdout, stderr }) =>
      [stdout, stderr].filter(Boolean).join('\n').trimEnd().replace(/^/gm, '  | ') || '  (no output)',
    (cause: unknown) => `  (could not read them: ${cause instanceof Error ? cause.message : String(cause)})`,
  );
  const shown = `${error.message}\n\nLast ${lines} log lines of sandbox ${sandbox.id} (${sandbox.runtime}, ${sandbox.image}):\n${logs}`;
  // Reporters print the message, or the stack (which begins with it): both get the logs.
  if (error.stack?.includes(error.message)) error.stack = error.stack.replace(error.message, () => shown);
  error.message = shown;
}
