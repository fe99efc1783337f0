import { createCipheriv } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Engine } from '@sandkit/core';
import { buildOfflineImage } from '@sandkit/host-setup';

/**
 * An image of about `base + padMiB` MiB for seeding benchmarks: `base` plus one
 * layer of incompressible bytes. The bytes are an AES-CTR keystream with a fixed
 * key, so the build context — and the cached image — is the same every run.
 */
export function buildPaddedImage(engine: Engine, base: string, padMiB: number): Promise<string> {
  return buildOfflineImage(engine, {
    repository: 'sandkit-bench/padded',
    async prepare(dir) {
      const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, 0));
      const chunk = Buffer.alloc(1024 * 1024);
      const source = Readable.from(
        (function* () {
          for (let i = 0; i < padMiB; i++) yield cipher.update(chunk);
        })(),
      );
      await pipeline(source, createWriteStream(join(dir, 'padding.bin')));
      await writeFile(join(dir, 'Dockerfile'), `FROM ${base}\nCOPY padding.bin /padding.bin\n`);
    },
  });
}
