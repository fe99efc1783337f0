import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  createDetachedSession,
  currentOwner,
  formatOwner,
  hostPathsLabel,
  isOwnerDead,
  processStartTime,
} from '@sandkit/core/runtime';
import { describe, expect, it } from 'vitest';
import { hostPathsFromLabels } from '../../packages/core/src/cleanup/host-paths.js';

describe('owners', () => {
  it('name this host, this pid and its start time', () => {
    expect(currentOwner()).toBe(`${hostname()}:${process.pid}:${processStartTime(process.pid)}`);
  });

  it('are alive while their process runs, and dead once it is gone or its pid was reused', () => {
    expect(isOwnerDead(currentOwner())).toBe(false);
    expect(isOwnerDead(formatOwner(hostname(), 2 ** 22 + 7, '1'))).toBe(true);
    expect(isOwnerDead(formatOwner(hostname(), process.pid, '1'))).toBe(true);
  });

  it('are dead once their process died, even while its parent has not reaped it (a zombie)', async () => {
    // The background sleep's parent becomes `sleep 5`, which never waits for it: it stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 5'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const [line] = (await once(parent.stdout, 'data')) as [Buffer];
      const pid = Number(line.toString().trim());
      const owner = formatOwner(hostname(), pid, processStartTime(pid));
      expect(isOwnerDead(owner)).toBe(false);
      await new Promise((r) => setTimeout(r, 600));
      expect(readFileSync(`/proc/${pid}/stat`, 'utf8')).toMatch(/\) Z /);
      expect(isOwnerDead(owner)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('on another host, or unreadable, are never declared dead', () => {
    expect(isOwnerDead('elsewhere:1:1')).toBe(false);
    expect(isOwnerDead('garbage')).toBe(false);
    expect(isOwnerDead(undefined)).toBe(false);
  });

  it('of a detached session (a `sandkit cluster up` cluster) name no process, so they never die', () => {
    expect(isOwnerDead(createDetachedSession().owner)).toBe(false);
  });
});

describe('host paths in labels', () => {
  it("round-trip, keeping only absolute paths that are sandkit's", () => {
    const labels = hostPathsLabel(['/run/sandkit/abc', '/tmp/sandkit-relay/abc']);
    expect(hostPathsFromLabels(labels)).toEqual(['/run/sandkit/abc', '/tmp/sandkit-relay/abc']);
    expect(
      hostPathsFromLabels({
        'dev.sandkit.host-paths': JSON.stringify(['/', '/etc', 'relative/sandkit', '/run/sandkit/../../etc']),
      }),
    ).toEqual([]);
    expect(hostPathsFromLabels({ 'dev.sandkit.host-paths': 'not json' })).toEqual([]);
    expect(hostPathsLabel([])).toEqual({});
  });
});
