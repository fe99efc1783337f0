import { request } from 'node:http';
import { connect } from 'node:net';

/** An Engine API answer: status and parsed JSON body (or the raw text). */
export interface RawAnswer {
  status: number;
  body: { message?: string; Id?: string; [key: string]: unknown };
}

/**
 * Sends one request, body bytes exactly as given, to an Engine API unix
 * socket: what a job can do without the docker CLI.
 */
export function rawApi(
  socketPath: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = body === undefined ? {} : { 'Content-Type': 'application/json' },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: RawAnswer['body'];
        try {
          parsed = text ? (JSON.parse(text) as RawAnswer['body']) : {};
        } catch {
          parsed = { message: text };
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** Writes raw bytes to a unix socket and returns everything read until it closes (or `timeoutMs`). */
export function rawExchange(socketPath: string, bytes: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', reject);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.write(bytes);
  });
}
