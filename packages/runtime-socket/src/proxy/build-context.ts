import { posix } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { TAR_BLOCK, tarEntry, tarHeaderFields } from './tar-entry.js';

/** The Dockerfile of a build context: most are well under this; larger ones are passed on unread. */
const MAX_DOCKERFILE = 1024 * 1024;

/**
 * Passes a build context (a tar stream) to the engine with its Dockerfile
 * rewritten by `rewrite` (held back until whole; every other entry passes as
 * it streams). A context that is not a plain tar (compressed, or unreadable
 * to this reader) passes unchanged: the engine then resolves the
 * Dockerfile's image names itself, as shared tags.
 */
export class DockerfileRewrite extends Transform {
  readonly #names: ReadonlySet<string>;
  readonly #rewrite: (dockerfile: string) => Promise<string>;
  #buffer = Buffer.alloc(0);
  #skip = 0;
  #held: { header: Buffer; size: number; chunks: Buffer[] } | undefined;
  #passThrough = false;
  #started = false;
  /** A PAX record set ahead of the next entry: its size may differ from the header's, so it is not rewritten. */
  #afterPax = false;

  /** @param dockerfile the build's `dockerfile` parameter (the default name also finds `dockerfile`) */
  constructor(dockerfile: string | null, rewrite: (dockerfile: string) => Promise<string>) {
    super();
    const name = normalised(dockerfile || 'Dockerfile');
    this.#names = new Set(dockerfile ? [name] : [name, 'dockerfile']);
    this.#rewrite = rewrite;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.#passThrough) {
      done(null, chunk);
      return;
    }
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    this.#scan().then(
      (passed) => done(null, passed.length > 0 ? passed : undefined),
      (error: unknown) => done(error as Error),
    );
  }

  override _flush(done: TransformCallback): void {
    const rest = Buffer.concat([
      ...(this.#held ? [this.#held.header, ...this.#held.chunks] : []),
      this.#buffer,
    ]);
    done(null, rest.length > 0 ? rest : undefined);
  }

  async #scan(): Promise<Buffer> {
    const passed: Buffer[] = [];
    while (!this.#passThrough) {
      if (this.#skip > 0) {
        const take = Math.min(this.#skip, this.#buffer.length);
        if (take === 0) break;
        const bytes = this.#buffer.subarray(0, take);
        this.#buffer = this.#buffer.subarray(take);
        this.#skip -= take;
        if (!this.#held) passed.push(bytes);
        else {
          this.#held.chunks.push(bytes);
          if (this.#skip === 0) passed.push(await this.#rewritten(this.#held));
        }
        continue;
      }
      if (this.#buffer.length < TAR_BLOCK) break;
      const header = this.#buffer.subarray(0, TAR_BLOCK);
      const fields = tarHeaderFields(header);
      const isTar = /^ustar/.test(header.toString('latin1', 257, 263));
      if (!this.#started && !isTar) {
        this.#passThrough = true;
        break;
      }
      this.#started = true;
      this.#buffer = this.#buffer.subarray(TAR_BLOCK);
      if (header.every((byte) => byte === 0) || fields.size === undefined || !isTar) {
        // The end of the archive, or an entry this reader does not follow: the rest goes as it is.
        passed.push(header, this.#buffer);
        this.#buffer = Buffer.alloc(0);
        this.#passThrough = true;
        break;
      }
      this.#skip = Math.ceil(fields.size / TAR_BLOCK) * TAR_BLOCK;
      const wanted =
        fields.type === '0' &&
        !this.#afterPax &&
        fields.size <= MAX_DOCKERFILE &&
        this.#names.has(normalised(fields.name));
      this.#afterPax = fields.type === 'x';
      if (wanted) {
        this.#held = { header, size: fields.size, chunks: [] };
        if (this.#skip === 0) passed.push(await this.#rewritten(this.#held));
      } else passed.push(header);
    }
    if (this.#passThrough && this.#buffer.length > 0) {
      passed.push(this.#buffer);
      this.#buffer = Buffer.alloc(0);
    }
    return Buffer.concat(passed);
  }

  async #rewritten(held: { header: Buffer; size: number; chunks: Buffer[] }): Promise<Buffer> {
    this.#held = undefined;
    const text = Buffer.concat(held.chunks).subarray(0, held.size).toString('utf8');
    return tarEntry(held.header, Buffer.from(await this.#rewrite(text)));
  }
}

/** A context path as the engine reads it: relative, clean. */
function normalised(path: string): string {
  return posix.normalize(path).replace(/^(\.\/|\/)+/, '');
}
