import { hostname } from 'node:os';
import { formatOwner, processStartTime } from '../labels/sandkit-labels.js';

/**
 * Whether the process an owner label names is known to be gone: it ran on this
 * host and no process with that pid and start time exists any more. Owners on
 * other hosts are never declared dead (their own sandkit sweeps them).
 */
export function isOwnerDead(owner: string | undefined): boolean {
  if (!owner) return false;
  const match = /^(.*):(\d+):(\d*)$/.exec(owner);
  if (!match) return false;
  const [, host, pid, start] = match as unknown as [string, string, string, string];
  if (host !== hostname()) return false;
  return (
    formatOwner(host, Number(pid), processStartTime(Number(pid))) !==
    formatOwner(host, Number(pid), start || undefined)
  );
}
