import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';

/** Reads the content of the single regular file in a `getArchive` tar stream. */
export async function readSingleFile(tar: Readable, path: string): Promise<Buffer> {
  const entries = extract();
  tar.pipe(entries);
  for await (const entry of entries) {
    if (entry.header.type === 'file') {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      tar.unpipe(entries);
      tar.destroy();
      return Buffer.concat(chunks);
    }
    entry.resume();
  }
  throw new Error(`${path} is not a regular file`);
}
