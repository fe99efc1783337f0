import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** sha256 over a directory tree: every path, type, mode, link target and file content, in a stable order. */
export async function hashDirectory(dir: string): Promise<string> {
  const hash = createHash('sha256');
  await hashInto(hash, dir, '');
  return hash.digest('hex');
}

async function hashInto(hash: Hash, root: string, relative: string): Promise<void> {
  const entries = (await readdir(join(root, relative))).sort();
  for (const name of entries) {
    const path = join(relative, name);
    const full = join(root, path);
    const stat = await lstat(full);
    hash.update(`${path}\0${stat.mode}\0`);
    if (stat.isSymbolicLink()) {
      hash.update(`-> ${await readlink(full)}\0`);
    } else if (stat.isDirectory()) {
      await hashInto(hash, root, path);
    } else {
      for await (const chunk of createReadStream(full)) hash.update(chunk as Buffer);
      hash.update('\0');
    }
  }
}
