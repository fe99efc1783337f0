import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { relayHijacked } from '../../packages/runtime-socket/src/proxy/hijack-relay.js';

/**
 * The relay for attach/exec connections, between two real unix sockets: a
 * stand-in engine that records every byte it is sent and answers as told,
 * and a job client. (Against the real engine: the workflow tests' attached
 * runs and execs.)
 */
describe('relaying hijacked connections', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function listen(onConnection: (socket: Socket) => void): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'sandkit-relay-'));
    const path = join(dir, 'sock');
    const server: Server = createServer(onConnection);
    await new Promise<void>((resolve) => server.listen(path, resolve));
    cleanups.push(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    });
    return path;
  }

  /** A stand-in engine: answers `answer` once the request body is in, and keeps everything it receives. */
  async function engine(answer: string, echo = false) {
    const received: Buffer[] = [];
    const path = await listen((socket) => {
      let answered = false;
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        if (answered) {
          if (echo) socket.write(chunk);
          return;
        }
        if (Buffer.concat(received).includes('{}')) {
          answered = true;
          socket.write(answer);
        }
      });
    });
    return { path, received: () => Buffer.concat(received).toString('latin1') };
  }

  /** Connects a job client through the relay; resolves with what the client read until the connection closed. */
  async function throughRelay(enginePath: string, early: string, later = ''): Promise<string> {
    const relayPath = await listen((client) =>
      relayHijacked(enginePath, client, Buffer.from(early), {
        head: 'POST /exec/e/start HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 2\r\n\r\n',
        bodyLength: 2,
      }),
    );
    return new Promise((resolve) => {
      const job = connect(relayPath);
      const chunks: Buffer[] = [];
      job.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (later && Buffer.concat(chunks).includes('101')) {
          job.write(later);
          later = '';
        }
        if (Buffer.concat(chunks).includes('echo:done')) job.end();
      });
      job.once('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    });
  }

  const SMUGGLED = 'POST /containers/create HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}';

  it('answers a declined upgrade and closes: a request pipelined behind it never reaches the engine', async () => {
    const upstream = await engine(
      'HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n{"a"',
    );
    const seen = await throughRelay(upstream.path, `{}${SMUGGLED}`);
    expect(seen).toBe(
      'HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n{"a"',
    );
    expect(upstream.received()).toBe(
      'POST /exec/e/start HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 2\r\n\r\n{}',
    );
  });

  it('splices both ways once the engine switches protocols, the bytes held back included', async () => {
    const upstream = await engine(
      'HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
      true,
    );
    const seen = await throughRelay(upstream.path, '{}early:', 'echo:done');
    expect(seen).toBe('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nearly:echo:done');
    expect(upstream.received()).toMatch(/\r\n\r\n\{\}early:echo:done$/);
  });
});
