import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatOwner, withFileLock } from '@sandkit/core/runtime';
import { describe, expect, it, onTestFinished } from 'vitest';

function lockPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sandkit-lock-test-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'thing.lock');
}

describe('file locks', () => {
  it('are released when the work ends, so the next holder does not wait', async () => {
    const path = lockPath();
    const started = Date.now();
    for (let i = 0; i < 5; i++) expect(await withFileLock(path, async () => i)).toBe(i);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('serialise holders: the second runs after the first', async () => {
    const path = lockPath();
    const order: string[] = [];
    await Promise.all([
      withFileLock(path, async () => {
        order.push('first in');
        await new Promise((r) => setTimeout(r, 300));
        order.push('first out');
      }),
      new Promise((r) => setTimeout(r, 50)).then(() => withFileLock(path, async () => order.push('second'))),
    ]);
    expect(order).toEqual(['first in', 'first out', 'second']);
  });

  it('stay held, uncompromised, through work that outlasts their update interval', async () => {
    const path = lockPath();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      // proper-lockfile re-checks its lock every 5 s and gives it up if the lock directory changed.
      await withFileLock(path, () => new Promise((r) => setTimeout(r, 6_000)));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.includes('taken over'))).toEqual([]);
  }, 15_000);

  it('stop waiting when the signal aborts', async () => {
    const path = lockPath();
    let release!: () => void;
    const held = withFileLock(path, () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const error = await withFileLock(path, async () => 'got it', { signal: AbortSignal.timeout(200) }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).name).toBe('TimeoutError');
    expect(Date.now() - started).toBeLessThan(1_500);
    release();
    await held;
  });

  it("take over at once a lock whose holder on this host is dead (not after the lock's staleness)", async () => {
    const path = lockPath();
    writeFileSync(path, '');
    mkdirSync(`${path}.lock`);
    writeFileSync(join(`${path}.lock`, 'owner'), formatOwner(hostname(), 2 ** 22 + 11, '1'));
    const started = Date.now();
    expect(await withFileLock(path, async () => 'taken over')).toBe('taken over');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
