import { posix } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { canonicalBody, UnreadableBody } from './canonical-body/canonicalise.js';
import { arrayOf, empty, mapOf, string, struct } from './canonical-body/schema-types.js';
import { TAR_BLOCK as BLOCK, tarEntry } from './tar-entry.js';

/** An image archive (`docker load`) the proxy will not let through. */
export class RefusedArchive extends Error {}

/** `manifest.json` of an image archive, as the engine reads it (`tarexport.manifestItem`), under a root. */
const MANIFEST = struct('manifest.json', {
  Items: arrayOf(
    struct('tarexport.manifestItem', {
      Config: string,
      RepoTags: arrayOf(string),
      Layers: arrayOf(string),
      Parent: string,
      LayerSources: mapOf(empty),
    }),
  ),
});
/** The legacy `repositories` file: repository → tag → image id. */
const REPOSITORIES = struct('repositories', { Repositories: mapOf(mapOf(string)) });
/** The files of an archive the engine takes tags from. */
const TAG_FILES = new Set(['manifest.json', 'repositories']);

/** What an archive asks the engine to load: the tags it would point, and the image ids (configs). */
export interface ArchiveContents {
  tags: string[];
  imageIds: string[];
}

/**
 * Reads an uncompressed image archive as it streams to the engine, and stops
 * it before its end when it would point tags the job may not point: the
 * engine unpacks the whole archive before it reads `manifest.json` (or the
 * legacy `repositories`), so an archive cut short loads nothing. Those files
 * must be plain files, read as the engine reads them (case-insensitive keys,
 * no ambiguous duplicates); links, and entries through links, that could
 * stand in for them are refused. Compressed archives are refused (the
 * engine would decompress them; decompress before loading). With `retag`,
 * the tag files reach the engine rewritten, in the canonical form read,
 * every tag replaced by what `retag` makes of it (the job's private tags).
 */
export class ArchiveScanner extends Transform {
  readonly contents: ArchiveContents = { tags: [], imageIds: [] };
  readonly #check: (contents: ArchiveContents) => Promise<string | undefined>;
  #buffer = Buffer.alloc(0);
  /** Bytes of the current entry's content (and padding) still to pass. */
  #skip = 0;
  /** The current entry, when it is a tag file being collected (its header held back, with `retag`). */
  #collecting: { name: string; size: number; chunks: Buffer[]; header?: Buffer } | undefined;
  readonly #retag: ((tag: string) => string) | undefined;
  #started = false;
  #ended = false;
  readonly #links = new Set<string>();

  /**
   * @param check why the archive's contents may not be loaded, or `undefined` when they may
   * @param retag the tag to load for each tag the archive names (its `contents` then lists these)
   */
  constructor(
    check: (contents: ArchiveContents) => Promise<string | undefined>,
    retag?: (tag: string) => string,
  ) {
    super();
    this.#check = check;
    this.#retag = retag;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.#ended) {
      done(null, chunk);
      return;
    }
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    this.#scan().then(
      (passed) => {
        if (passed.length > 0) this.push(passed);
        done();
      },
      (error: unknown) => done(error as Error),
    );
  }

  override _flush(done: TransformCallback): void {
    if (this.#buffer.length > 0 || !this.#ended) done(new RefusedArchive('the image archive ends early'));
    else done();
  }

  /** Consumes whole blocks from the buffer; resolves to the bytes that may go on. */
  async #scan(): Promise<Buffer> {
    const passed: Buffer[] = [];
    while (!this.#ended) {
      if (this.#skip > 0) {
        const take = Math.min(this.#skip, this.#buffer.length);
        if (take === 0) break;
        const bytes = this.#buffer.subarray(0, take);
        this.#buffer = this.#buffer.subarray(take);
        this.#skip -= take;
        if (!this.#collecting?.header) passed.push(bytes);
        if (this.#collecting) this.#collecting.chunks.push(bytes);
        if (this.#skip === 0 && this.#collecting) passed.push(this.#tagFile(this.#collecting));
        continue;
      }
      if (this.#buffer.length < BLOCK) break;
      const header = this.#buffer.subarray(0, BLOCK);
      this.#buffer = this.#buffer.subarray(BLOCK);
      if (!this.#started) {
        this.#started = true;
        if (!/^ustar/.test(header.toString('latin1', 257, 263)))
          throw new RefusedArchive(
            'only uncompressed image archives (docker save output) can be loaded: decompress it first',
          );
      }
      if (header.every((byte) => byte === 0)) {
        passed.push(header);
        // The end of the archive: everything it loads has been checked.
        const refusal = await this.#check(this.contents);
        if (refusal) throw new RefusedArchive(refusal);
        this.#ended = true;
        passed.push(this.#buffer);
        this.#buffer = Buffer.alloc(0);
        break;
      }
      passed.push(this.#entry(header));
    }
    return Buffer.concat(passed);
  }

  /** Reads an entry's header; returns the bytes to pass now (the header, or nothing for a tag file held back). */
  #entry(header: Buffer): Buffer {
    const field = (start: number, length: number) =>
      header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    if (!Number.isSafeInteger(size) || (header[124] ?? 0) & 0x80)
      throw new RefusedArchive('an entry of the image archive has an unreadable size');
    const type = field(156, 1) || '0';
    // Names are read only where this reader and the engine's (Go's archive/tar) cannot disagree:
    // plain USTAR headers. GNU headers (whose prefix field Go ignores) and PAX or GNU long-name
    // records (where the last of several records wins for Go) are refused.
    if (header.toString('latin1', 257, 265) !== 'ustar\u000000')
      throw new RefusedArchive('image archive entries must have plain USTAR headers (not GNU or old tar)');
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K')
      throw new RefusedArchive('image archives with PAX or GNU long-name records are not accepted');
    const prefix = field(345, 155);
    const raw = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    this.#skip = Math.ceil(size / BLOCK) * BLOCK;
    this.#collecting = undefined;
    const name = posix
      .normalize(raw)
      .replace(/^(\.\/|\/)+/, '')
      .replace(/\/$/, '');
    const through = name.split('/').some((_, i, parts) => this.#links.has(parts.slice(0, i).join('/')));
    if (through) throw new RefusedArchive(`image archive entry "${name}" is reached through a link`);
    if (type === '1' || type === '2') this.#links.add(name);
    if (TAG_FILES.has(name)) {
      if (type !== '0') throw new RefusedArchive(`"${name}" in an image archive must be a plain file`);
      this.#collecting = { name, size, chunks: [], ...(this.#retag ? { header } : {}) };
      if (size === 0) return this.#tagFile(this.#collecting);
      return this.#retag ? Buffer.alloc(0) : header;
    }
    return header;
  }

  /** Reads a whole tag file; returns its bytes to pass (rewritten, with its header, when held back). */
  #tagFile(file: { name: string; size: number; chunks: Buffer[]; header?: Buffer }): Buffer {
    this.#collecting = undefined;
    const retag = this.#retag ?? ((tag: string) => tag);
    const text = Buffer.concat(file.chunks).subarray(0, file.size).toString('utf8');
    let rewritten: string;
    try {
      if (file.name === 'manifest.json') {
        const { Items } = canonicalBody(`{"Items":${text}}`, MANIFEST) as {
          Items?: Array<{ Config?: string; RepoTags?: string[]; Parent?: string } | null> | null;
        };
        for (const item of Items ?? []) {
          // The classic builder takes an image with a Parent as a cached step: a loaded one would
          // answer other jobs' builds (a planted "RUN" result).
          if (item?.Parent)
            throw new RefusedArchive(
              'manifest.json: images with a Parent cannot be loaded (they would become build cache for every job on the engine)',
            );
          if (item?.RepoTags) item.RepoTags = item.RepoTags.map(retag);
          this.contents.tags.push(...(item?.RepoTags ?? []));
          const config = item?.Config?.replace(/\.json$/, '')
            .split('/')
            .pop();
          if (config) this.contents.imageIds.push(`sha256:${config}`);
        }
        rewritten = JSON.stringify(Items);
      } else {
        const { Repositories } = canonicalBody(`{"Repositories":${text}}`, REPOSITORIES) as {
          Repositories?: Record<string, Record<string, string>> | null;
        };
        const retagged: Record<string, Record<string, string>> = {};
        for (const [repo, tags] of Object.entries(Repositories ?? {}))
          for (const [tag, id] of Object.entries(tags ?? {})) {
            const sent = retag(`${repo}:${tag}`);
            this.contents.tags.push(sent);
            const colon = sent.lastIndexOf(':');
            retagged[sent.slice(0, colon)] = {
              ...retagged[sent.slice(0, colon)],
              [sent.slice(colon + 1)]: id,
            };
          }
        rewritten = JSON.stringify(retagged);
      }
    } catch (error) {
      if (error instanceof UnreadableBody) throw new RefusedArchive(`${file.name}: ${error.message}`);
      throw error;
    }
    return file.header ? tarEntry(file.header, Buffer.from(rewritten)) : Buffer.alloc(0);
  }
}
