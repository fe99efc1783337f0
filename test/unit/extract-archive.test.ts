import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractArchive } from '../../packages/core/src/container/extract-archive.js';

const run = promisify(execFile);

// Archives the engine would never send, made with GNU tar from two source trees: in one,
// `link` is a symlink to a directory outside; in the other, `link` is a directory holding `evil`.
describe('extracting an archive never writes outside its destination', () => {
  let root: string;
  let outside: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sandkit-extract-'));
    outside = join(root, 'outside');
    await mkdir(outside);
    await mkdir(join(root, 'symlinked'));
    await symlink(outside, join(root, 'symlinked/link'));
    await mkdir(join(root, 'real/link'), { recursive: true });
    await writeFile(join(root, 'real/link/evil'), 'written through the symlink');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** Extracts `archive` into a fresh `dest/out`; returns the error, what `dest` holds afterwards, and `out`. */
  async function extractInto(archive: string): Promise<{ error: unknown; left: string[]; out: string }> {
    const dest = await mkdtemp(join(root, 'dest-'));
    const out = join(dest, 'out');
    const error = await extractArchive(createReadStream(archive), out).catch((e: unknown) => e);
    return { error, left: await readdir(dest), out };
  }

  it('refuses an entry that would be written through a symlink it created', async () => {
    const archive = join(root, 'through-symlink.tar');
    await run('tar', [
      '-cf',
      archive,
      '-C',
      join(root, 'symlinked'),
      'link',
      '-C',
      join(root, 'real'),
      'link/evil',
    ]);
    const { error, left } = await extractInto(archive);
    expect((error as Error).message).toMatch(/would be written through link, which is not a directory/);
    expect(await readdir(outside)).toEqual([]);
    expect(left).toEqual([]);
  });

  it('refuses an entry whose name leads out of the destination', async () => {
    const archive = join(root, 'dot-dot.tar');
    await run('tar', ['-cf', archive, '-C', join(root, 'real'), '--transform', 's,^,../,', 'link/evil']);
    const { error, left } = await extractInto(archive);
    expect((error as Error).message).toMatch(/points outside the destination/);
    expect(left).toEqual([]);
  });

  it('keeps owners, modes and times as the archive says (owners only when running as root)', async () => {
    const archive = join(root, 'owned.tar');
    await run('tar', [
      '-cf',
      archive,
      '--owner=1234',
      '--group=4321',
      '--numeric-owner',
      '--mode=0640',
      '--mtime=@1000000000',
      '-C',
      join(root, 'real'),
      'link',
    ]);
    const { error, out } = await extractInto(archive);
    expect(error).toBeUndefined();
    const file = await stat(join(out, 'link/evil'));
    const root0 = process.getuid?.() === 0;
    expect([file.uid, file.gid]).toEqual(root0 ? [1234, 4321] : [process.getuid?.(), process.getgid?.()]);
    expect(file.mode & 0o777).toBe(0o640);
    expect(file.mtimeMs).toBe(1_000_000_000_000);
  });

  it('extracts a plain tree, keeping symlinks as they are', async () => {
    const archive = join(root, 'plain.tar');
    await run('tar', ['-cf', archive, '-C', join(root, 'symlinked'), 'link']);
    const { error, left } = await extractInto(archive);
    expect(error).toBeUndefined();
    expect(left).toEqual(['out']);
  });
});
