import { statfs } from 'node:fs/promises';

/** Bytes in use on the file system that holds `path` (what extra-disk figures are differences of). */
export async function usedBytes(path: string): Promise<number> {
  const s = await statfs(path);
  return (s.blocks - s.bfree) * s.bsize;
}
