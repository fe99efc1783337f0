import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import type { FileEntry } from '../sandbox/sandbox.js';

/**
 * A tar stream, rooted at `/`, holding the given files and every parent
 * directory they need (so extracting it at `/` creates missing directories).
 */
export function filesToTar(files: readonly FileEntry[]): Readable {
  const archive = pack();
  const directories = new Set<string>();
  for (const file of files) {
    const relative = posix.normalize(file.path).replace(/^\/+/, '');
    const parts = relative.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (directories.has(dir)) continue;
      directories.add(dir);
      archive.entry({ name: `${dir}/`, type: 'directory', mode: 0o755, uid: 0, gid: 0 });
    }
    const content = typeof file.content === 'string' ? Buffer.from(file.content) : Buffer.from(file.content);
    archive.entry(
      {
        name: relative,
        type: 'file',
        mode: file.mode ?? 0o644,
        uid: file.uid ?? 0,
        gid: file.gid ?? 0,
        size: content.length,
      },
      content,
    );
  }
  archive.finalize();
  // tar-stream produces a streamx stream; wrap it for APIs that expect a Node Readable.
  return Readable.from(archive);
}
