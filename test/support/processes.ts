import type { Sandbox } from '@sandkit/core';

/**
 * The sandbox's processes whose command line contains `marker` (as `ps`
 * inside shows them), waiting up to `graceMs` for them to go: what a
 * "nothing is left running" check expects to be empty.
 */
export async function processesLeft(sb: Sandbox, marker: string, graceMs = 2_000): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const { stdout } = await sb.exec(['ps', '-o', 'pid,args']);
    const left = stdout.split('\n').filter((line) => line.includes(marker));
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
