import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';

/** Reads the content of the single regular file in a `getArchive` tar stream. */
export async function readSingleFile(tar: Readable, path: string): Promise<Buffer> {
  const entries = extract();
  // An archive stream that fails or is aborted mid-way must end the read, not leave it waiting.
  tar.once('error', (error) => entries.destroy(error));
  tar.once('close', () => {
    if (!tar.readableEnded) entries.destroy(new Error(`the archive of ${path} ended early`));
  });
  tar.pipe(entries);
  try {
    for await (const entry of entries) {
      if (entry.header.type === 'file') {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      }
      entry.resume();
    }
  } finally {
    tar.unpipe(entries);
    tar.destroy();
  }
  throw new Error(`${path} is not a regular file`);
}
