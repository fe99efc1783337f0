import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ArchiveScanner, RefusedArchive } from '../../packages/runtime-socket/src/proxy/image-archive.js';
import { ustar as tar } from '../support/ustar.js';

const config = 'a'.repeat(64);
const manifest = (tags: string, key = 'RepoTags') =>
  `[{"Config":"${config}.json","${key}":${tags},"Layers":["l/layer.tar"]}]`;

/** Streams `archive` through a scanner in small chunks; what passed, and the check's input or the refusal. */
async function scan(archive: Buffer, refuse?: string) {
  const seen: string[][] = [];
  const scanner = new ArchiveScanner(async ({ tags }) => {
    seen.push(tags);
    return refuse;
  });
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const pieces = Array.from({ length: Math.ceil(archive.length / 100) }, (_, i) =>
    archive.subarray(i * 100, (i + 1) * 100),
  );
  const error = await pipeline(Readable.from(pieces), scanner, sink).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  return { passed: Buffer.concat(chunks), seen, error, contents: scanner.contents };
}

describe('image archives are read on their way to docker load', () => {
  it('passes an archive through unchanged, having read the tags and images it loads', async () => {
    const archive = tar([
      { name: 'l/layer.tar', content: 'layer' },
      { name: `${config}.json`, content: '{}' },
      { name: 'manifest.json', content: manifest('["app:1"]') },
      { name: 'repositories', content: '{"app":{"1":"x"}}' },
    ]);
    const { passed, error, contents } = await scan(archive);
    expect(error).toBeUndefined();
    expect(passed.equals(archive)).toBe(true);
    expect(contents).toEqual({ tags: ['app:1', 'app:1'], imageIds: [`sha256:${config}`] });
  });

  it('refuses headers it could read differently from the engine: GNU headers, PAX and GNU long-name records', async () => {
    // A GNU header: Go ignores its prefix field, so "00000000000/manifest.json" is "manifest.json" to the engine.
    const gnu = tar([{ name: 'manifest.json', content: manifest('["victim:1"]') }]);
    gnu.write('ustar  \0', 257, 'latin1');
    gnu.write('00000000000', 345, 'latin1');
    const refusedGnu = await scan(gnu);
    expect(refusedGnu.error).toBeInstanceOf(RefusedArchive);
    expect(refusedGnu.error?.message).toMatch(/plain USTAR headers/);
    // Two path records in one PAX header: the engine takes the last.
    for (const type of ['x', 'L']) {
      const pax = tar([
        { name: 'PaxHeaders/x', type, content: '21 path=decoy.json\n25 path=manifest.json\n' },
        { name: 'decoy.json', content: manifest('["victim:1"]') },
      ]);
      const refused = await scan(pax);
      expect(refused.error?.message, type).toMatch(/PAX or GNU long-name/);
    }
  });

  it('refuses images with a Parent, which the classic builder would take as cached steps of other jobs', async () => {
    const poisoned = `[{"Config":"${config}.json","RepoTags":["mine:1"],"Layers":["l/layer.tar"],"Parent":"sha256:${'b'.repeat(64)}"}]`;
    const refused = await scan(tar([{ name: 'manifest.json', content: poisoned }]));
    expect(refused.error?.message).toMatch(/images with a Parent cannot be loaded/);
  });

  it('reads manifest keys as the engine does, in any case', async () => {
    const { contents } = await scan(
      tar([{ name: './manifest.json', content: manifest('["x:1"]', 'repotags') }]),
    );
    expect(contents.tags).toEqual(['x:1']);
  });

  it('stops a refused archive before its end: the engine never sees a whole archive', async () => {
    const archive = tar([{ name: 'manifest.json', content: manifest('["theirs:1"]') }]);
    const { passed, error, seen } = await scan(archive, 'not yours');
    expect(seen).toEqual([['theirs:1']]);
    expect(error).toBeInstanceOf(RefusedArchive);
    expect(passed.length).toBeLessThan(archive.length - 1024 + 1);
  });

  it.each([
    ['compressed', gzipSync(tar([{ name: 'manifest.json', content: manifest('[]') }]))],
    ['ambiguous keys', tar([{ name: 'manifest.json', content: manifest('["a:1"],"repoTags":["b:1"]') }])],
    ['a manifest that is a link', tar([{ name: 'manifest.json', type: '2', link: 'other.json' }])],
    [
      'a manifest reached through a linked directory',
      tar([
        { name: 'd', type: '2', link: '.' },
        { name: 'd/manifest.json', content: manifest('["theirs:1"]') },
      ]),
    ],
    ['an empty manifest', tar([{ name: 'manifest.json' }])],
    ['an archive without its end', tar([{ name: 'manifest.json', content: manifest('[]') }], true)],
  ])('refuses %s', async (_name, archive) => {
    const { error } = await scan(archive);
    expect(error).toBeInstanceOf(RefusedArchive);
  });
});
