import { connect, type Socket } from 'node:net';

/** Everything the engine must receive before it answers an upgrade request: the request head and its body. */
export interface HijackRequest {
  /** Request line and headers, ending in the blank line. */
  head: string;
  /** Bytes of request body the headers declare (`Content-Length`). */
  bodyLength: number;
}

const STATUS_LINE_END = Buffer.from('\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');

/**
 * Relays a checked upgrade request (attach, exec start) to the engine and,
 * once the engine has switched protocols (101), splices the two connections
 * byte for byte. Until then only the declared request body reaches the
 * engine: any further bytes the job sent are held back. When the engine
 * answers anything but 101, that answer is relayed and both connections are
 * closed, so no second, unchecked request can ride on the connection.
 */
export function relayHijacked(
  enginePath: string,
  client: Socket,
  early: Buffer,
  request: HijackRequest,
): void {
  client.pause();
  const upstream = connect(enginePath);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.once('close', close);
  upstream.once('close', close);
  client.once('error', close);
  upstream.once('error', close);

  upstream.write(request.head);
  let bodyOwed = request.bodyLength;
  let held = Buffer.alloc(0);
  /** The declared body goes to the engine; anything after it waits for the switch. */
  const take = (bytes: Buffer) => {
    const body = bytes.subarray(0, bodyOwed);
    if (body.length > 0) upstream.write(body);
    bodyOwed -= body.length;
    if (body.length < bytes.length) held = Buffer.concat([held, bytes.subarray(body.length)]);
  };
  take(early);
  if (bodyOwed > 0) {
    client.on('data', take);
    client.resume();
  }

  let answer = Buffer.alloc(0);
  const onAnswer = (chunk: Buffer) => {
    answer = Buffer.concat([answer, chunk]);
    const lineEnd = answer.indexOf(STATUS_LINE_END);
    if (lineEnd < 0) return;
    upstream.off('data', onAnswer);
    client.off('data', take);
    client.write(answer);
    if (/^HTTP\/1\.[01] 101 /.test(answer.subarray(0, lineEnd + 2).toString('latin1'))) {
      if (held.length > 0) upstream.write(held);
      upstream.pipe(client);
      client.pipe(upstream);
      client.resume();
      return;
    }
    client.pause();
    relayAnswerThenClose(upstream, client, answer, close);
  };
  upstream.on('data', onAnswer);
}

/** Relays the rest of a plain (not upgraded) answer, then closes: up to its Content-Length, or until the engine ends. */
function relayAnswerThenClose(upstream: Socket, client: Socket, received: Buffer, close: () => void): void {
  let seen = received;
  const finishedAt = (): number | undefined => {
    const headersEnd = seen.indexOf(HEADERS_END);
    if (headersEnd < 0) return undefined;
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(seen.subarray(0, headersEnd).toString('latin1'))?.[1];
    return length === undefined ? undefined : headersEnd + HEADERS_END.length + Number(length);
  };
  const check = () => {
    const end = finishedAt();
    if (end !== undefined && seen.length >= end) client.end(close);
  };
  upstream.on('data', (chunk: Buffer) => {
    seen = Buffer.concat([seen, chunk]);
    client.write(chunk);
    check();
  });
  upstream.once('end', () => client.end(close));
  check();
}
