import { type IncomingMessage, request, type ServerResponse } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { JobNames } from './job-names.js';

/** How {@link forwardRequest} sends a request and relays its answer. */
export interface ForwardOptions {
  /** The body to send instead of the job's (the canonical form the proxy checked). */
  body?: Buffer;
  /** Keep the engine's answer, to read what it created (small JSON answers). */
  capture?: boolean;
  /** Passes the job's body through this on its way (it may stop it: the engine then receives no end). */
  requestThrough?: Transform;
  /** Passes the engine's answer through this on its way to the job. */
  responseThrough?: Transform;
  /**
   * Puts the job's names back into the engine's JSON answers (inspects,
   * lists, errors, events and progress streams), in place of its engine
   * names; other answers (logs, archives, attach) pass byte for byte.
   */
  names?: Pick<JobNames, 'mentions' | 'toJob'>;
}

/** The engine's answer to a forwarded request. */
export interface Forwarded {
  status: number;
  /** The answer's bytes, with `capture`. */
  answer: Buffer;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/**
 * Forwards a request to the engine at `enginePath`, streaming both ways with
 * backpressure, flushing a stream's response headers at once (an attached
 * `docker run` waits on them), and ending the engine's call when the job goes
 * away (Ctrl-C on `docker logs -f`).
 */
export function forwardRequest(
  enginePath: string,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  options: ForwardOptions = {},
): Promise<Forwarded> {
  const { body, capture, requestThrough, responseThrough, names } = options;
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers };
    if (body) {
      // The body sent is the proxy's own: nothing of how the job framed or encoded its bytes applies.
      for (const name of ['transfer-encoding', 'content-encoding', 'expect']) delete headers[name];
      headers['content-length'] = String(body.length);
      if (body.length > 0) headers['content-type'] = 'application/json';
      else delete headers['content-type'];
    } else if (requestThrough) {
      // Chunked: the engine sees the body's end only when the proxy lets it through.
      for (const name of ['transfer-encoding', 'content-length', 'expect']) delete headers[name];
    }
    const upstream = request({ socketPath: enginePath, method: req.method, path, headers }, (upstreamRes) => {
      const status = upstreamRes.statusCode ?? 502;
      const json = names !== undefined && /json/i.test(upstreamRes.headers['content-type'] ?? '');
      const sized = upstreamRes.headers['content-length'] !== undefined && !responseThrough;
      const responseHeaders = Object.fromEntries(
        Object.entries(upstreamRes.headers).filter(
          ([name]) => !HOP_BY_HOP.has(name) && !((responseThrough || json) && name === 'content-length'),
        ),
      );
      const chunks: Buffer[] = [];
      if (capture || (json && sized)) upstreamRes.on('data', (chunk: Buffer) => chunks.push(chunk));
      upstreamRes.once('error', reject);
      if (json && sized) {
        // A sized JSON answer (inspect, list, error): read whole, rewritten, sent sized again.
        upstreamRes.once('end', () => {
          const raw = Buffer.concat(chunks);
          const sent = names.mentions(raw) ? Buffer.from(names.toJob(raw.toString('utf8'))) : raw;
          res.writeHead(status, { ...responseHeaders, 'content-length': String(sent.length) });
          res.end(sent);
          resolve({ status, answer: raw });
        });
        return;
      }
      res.writeHead(status, responseHeaders);
      // A sized answer's headers go with it.
      if (responseHeaders['content-length'] === undefined) res.flushHeaders();
      let relayed: NodeJS.ReadableStream = responseThrough ? upstreamRes.pipe(responseThrough) : upstreamRes;
      if (json) relayed = relayed.pipe(new LineRewrite(names));
      relayed.pipe(res);
      relayed.once('end', () => resolve({ status, answer: Buffer.concat(chunks) }));
      relayed.once('error', reject);
    });
    upstream.once('error', reject);
    res.once('close', () => upstream.destroy());
    if (body) upstream.end(body);
    else if (requestThrough) {
      requestThrough.once('error', (error) => {
        upstream.destroy();
        reject(error);
      });
      req.pipe(requestThrough).pipe(upstream);
    } else req.pipe(upstream);
  });
}

/** Largest request body the proxy reads to check it (settings bodies); larger ones are refused (413). */
export const MAX_INSPECTED_BODY = 1024 * 1024;
/** An empty body, as clients send one: nothing, `{}` or `null`. */
const EMPTY_BODY = /^\s*(\{\s*\}|null)?\s*$/;

/** Reads a request body up to {@link MAX_INSPECTED_BODY} bytes; `undefined` when larger. */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_INSPECTED_BODY) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_INSPECTED_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Whether a body read by {@link readBody} is empty as clients send "no body": nothing, `{}` or `null`. */
export function isEmptyBody(text: string): boolean {
  return EMPTY_BODY.test(text);
}

/**
 * Rewrites a JSON stream (events, progress, stats) line by line: the
 * engine ends each message with a newline, so a name is never cut in two,
 * and each message goes on as soon as it is whole.
 */
class LineRewrite extends Transform {
  readonly #names: Pick<JobNames, 'mentions' | 'toJob'>;
  readonly #decoder = new StringDecoder('utf8');
  #pending = '';

  constructor(names: Pick<JobNames, 'mentions' | 'toJob'>) {
    super();
    this.#names = names;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const text = this.#pending + this.#decoder.write(chunk);
    const end = text.lastIndexOf('\n') + 1;
    this.#pending = text.slice(end);
    done(null, end === 0 ? undefined : this.#rewrite(text.slice(0, end)));
  }

  override _flush(done: TransformCallback): void {
    const rest = this.#pending + this.#decoder.end();
    done(null, rest === '' ? undefined : this.#rewrite(rest));
  }

  #rewrite(text: string): string {
    return this.#names.mentions(text) ? this.#names.toJob(text) : text;
  }
}
