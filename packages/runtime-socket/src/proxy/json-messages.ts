import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** One message of the engine's JSON progress streams (build, pull, import, load). */
export interface JsonMessage {
  stream?: string;
  status?: string;
  error?: string;
  aux?: { ID?: string };
  [key: string]: unknown;
}

/**
 * Splits a JSON progress stream into its messages (one JSON object a line)
 * and hands each, with its bytes, to `onMessage`, which pushes what the job
 * is to receive. Lines that are not JSON objects are passed on as they are.
 */
export class JsonMessages extends Transform {
  #pending = '';
  readonly #decoder = new StringDecoder('utf8');
  readonly #onMessage: (message: JsonMessage | undefined, line: string, push: (text: string) => void) => void;
  readonly #onEnd: (push: (text: string) => void) => void;

  constructor(
    onMessage: (message: JsonMessage | undefined, line: string, push: (text: string) => void) => void,
    onEnd: (push: (text: string) => void) => void = () => {},
  ) {
    super();
    this.#onMessage = onMessage;
    this.#onEnd = onEnd;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#pending += this.#decoder.write(chunk);
    let newline = this.#pending.indexOf('\n');
    while (newline !== -1) {
      this.#line(this.#pending.slice(0, newline + 1));
      this.#pending = this.#pending.slice(newline + 1);
      newline = this.#pending.indexOf('\n');
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.#pending += this.#decoder.end();
    if (this.#pending !== '') this.#line(this.#pending);
    this.#onEnd((text) => this.push(text));
    done();
  }

  #line(line: string): void {
    let message: JsonMessage | undefined;
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
        message = parsed as JsonMessage;
    } catch {
      message = undefined;
    }
    this.#onMessage(message, line, (text) => this.push(text));
  }
}

/** What a progress stream said: whether it reported an error, and the image ids its `aux` messages named. */
export interface StreamOutcome {
  failed: boolean;
  auxIds: string[];
  /** The `status` and `stream` texts, for answers that name what they made (import, load). */
  texts: string[];
}

/**
 * A pass-through that records what a progress stream says; with `quiet`, it
 * answers as the engine's quiet build does (the stream's text only when it
 * fails, then the error; else just the image id), from a stream asked for
 * in full — the proxy needs every stage's image id, which quiet builds omit.
 */
export function watchStream(quiet = false): { transform: JsonMessages; outcome: StreamOutcome } {
  const outcome: StreamOutcome = { failed: false, auxIds: [], texts: [] };
  const held: string[] = [];
  const transform = new JsonMessages(
    (message, line, push) => {
      if (message?.error !== undefined) outcome.failed = true;
      const id = message?.aux?.ID;
      if (typeof id === 'string') outcome.auxIds.push(id);
      for (const text of [message?.stream, message?.status])
        if (typeof text === 'string') outcome.texts.push(text);
      if (!quiet) push(line);
      else if (message?.error !== undefined) {
        push(held.splice(0).join(''));
        push(line);
      } else if (message?.stream !== undefined || message?.aux !== undefined) held.push(line);
      else push(line);
    },
    (push) => {
      const id = outcome.auxIds.at(-1);
      if (quiet && !outcome.failed && id) push(`${JSON.stringify({ stream: `${id}\n` })}\r\n`);
    },
  );
  return { transform, outcome };
}
