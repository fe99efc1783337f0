import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';

/** The path a `getArchive` stream was made of, as its first entry says. */
export type ArchivedPath =
  | { type: 'file'; content: Buffer }
  | { type: 'symlink'; target: string }
  | { type: string };

/**
 * Reads the first entry of a `getArchive` tar stream, which is the requested
 * path itself (a directory's contents follow it and are not read): a regular
 * file's content, a symlink's target, or just the kind of anything else.
 */
export async function readArchivedPath(tar: Readable, path: string): Promise<ArchivedPath> {
  const entries = extract();
  // An archive stream that fails or is aborted mid-way must end the read, not leave it waiting.
  tar.once('error', (error) => entries.destroy(error));
  tar.once('close', () => {
    if (!tar.readableEnded) entries.destroy(new Error(`the archive of ${path} ended early`));
  });
  tar.pipe(entries);
  try {
    for await (const entry of entries) {
      const { type, linkname } = entry.header;
      if (type === 'file') {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        return { type, content: Buffer.concat(chunks) };
      }
      entry.resume();
      if (type === 'symlink') return { type, target: linkname ?? '' };
      return { type: type ?? 'unknown' };
    }
  } finally {
    tar.unpipe(entries);
    tar.destroy();
  }
  throw new Error(`the archive of ${path} is empty`);
}
