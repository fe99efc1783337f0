import { execFile } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CopyFailedError,
  createSession,
  EngineRequestError,
  EngineUnreachableError,
  ExecCancelledError,
  ExecTimedOutError,
  FileNotFoundError,
  InvalidArgumentError,
  NotAFileError,
  type Sandbox,
  SandboxNotRunningError,
} from '@sandkit/core';
import { toSandkitError } from '@sandkit/core/runtime';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { leftovers, NOTHING_LEFT, testEngine } from '../support/engine.js';
import { startEngineRelay } from '../support/engine-relay.js';
import { processesLeft } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';
import { CONTRACT_TARGETS } from './targets.js';

const images = inject('images');
const run = promisify(execFile);

/** Milliseconds after the call at which the early-stop tests abort or time out. */
const EARLY_STOPS = [0, 1, 2, 5, 10, 20, 30];

/** Resolves with how `promise` settled, or fails the test if it has not within `ms`. */
async function settled(promise: Promise<unknown>, ms = 10_000): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    promise.then(
      () => 'resolved',
      (error: unknown) => error,
    ),
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(`still pending after ${ms} ms`), ms);
    }),
  ]);
  clearTimeout(timer);
  return outcome;
}

for (const target of CONTRACT_TARGETS) {
  const skipReason = await target.skipReason();
  if (skipReason) console.warn(`[contract] skipping the failure contract of "${target.name}": ${skipReason}`);

  describe.skipIf(skipReason !== undefined)(`Sandbox contract under failure: ${target.name}`, () => {
    const base = target.spec(images);
    const session = createSession();
    const runtime = target.runtime(session);
    let sb: Sandbox;

    beforeAll(async () => {
      sb = await runtime.create(base);
    });
    afterAll(async () => {
      await sb?.destroy();
      expect(
        await leftovers({ session: session.id }, { sessionNetworkKept: target.keepsSessionNetwork === true }),
      ).toEqual(NOTHING_LEFT);
    });

    describe('an exec stopped in its first milliseconds', () => {
      it.each(EARLY_STOPS)(
        'stopped %i ms after the call, exec and execStream settle typed and leave no process behind',
        async (afterMs) => {
          const marker = (mode: number) => String(700_000 + afterMs * 10 + mode);

          const timedOut = sb.exec(['sleep', marker(1)], { timeoutMs: Math.max(afterMs, 1) });
          expect(ExecTimedOutError.is(await settled(timedOut))).toBe(true);
          expect(await processesLeft(sb, `sleep ${marker(1)}`)).toEqual([]);

          const execAbort = new AbortController();
          setTimeout(() => execAbort.abort(), afterMs);
          const cancelled = sb.exec(['sleep', marker(2)], { signal: execAbort.signal });
          expect(ExecCancelledError.is(await settled(cancelled))).toBe(true);
          expect(await processesLeft(sb, `sleep ${marker(2)}`)).toEqual([]);

          // Either execStream() itself rejects (stopped before the engine started the command)
          // or its `exited` does; neither may hang.
          const streamAbort = new AbortController();
          setTimeout(() => streamAbort.abort(), afterMs);
          const stream = sb.execStream(['sh', '-c', `sleep ${marker(3)}; echo never`], {
            signal: streamAbort.signal,
          });
          expect(ExecCancelledError.is(await settled(stream.then((proc) => proc.exited)))).toBe(true);
          expect(await processesLeft(sb, `sleep ${marker(3)}`)).toEqual([]);
        },
      );

      it('kills a whole process tree, children forked after the call included', async () => {
        const error = await settled(
          sb.exec(['sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do sleep 700321 & done; wait'], { timeoutMs: 300 }),
        );
        expect(ExecTimedOutError.is(error)).toBe(true);
        expect(await processesLeft(sb, 'sleep 700321')).toEqual([]);
      });
    });

    describe('malformed calls start nothing, also on the real engine', () => {
      it('exec of a string is refused instead of running its first letter', async () => {
        const error = await sb.exec('touch /tmp/ran-anyway' as never).catch((e: unknown) => e);
        expect(InvalidArgumentError.is(error)).toBe(true);
        expect((error as InvalidArgumentError).issues[0]?.allowed).toContain('["sh", "-c", "echo hi"]');
        expect((await sb.exec(['ls', '/tmp'])).stdout).not.toContain('ran-anyway');
      });

      it('exec with a bad timeout, signal or stdin is refused before the command starts', async () => {
        for (const options of [{ timeoutMs: -1 }, { timeoutMs: Number.NaN }, { signal: {} }, { stdin: 5 }]) {
          const error = await sb
            .exec(['sh', '-c', 'touch /tmp/started-anyway; sleep 700400'], options as never)
            .catch((e: unknown) => e);
          expect(InvalidArgumentError.is(error), JSON.stringify(options)).toBe(true);
        }
        expect(await processesLeft(sb, 'sleep 700400')).toEqual([]);
        expect((await sb.exec(['ls', '/tmp'])).stdout).not.toContain('started-anyway');
      });

      it('putArchive of something that is not a stream settles with InvalidArgumentError', async () => {
        const error = await settled(sb.putArchive(5 as never, '/tmp'), 5_000);
        expect(InvalidArgumentError.is(error)).toBe(true);
        expect((error as InvalidArgumentError).issues.map((i) => i.path)).toEqual(['tar']);
      });

      it('writeFiles refuses special mode bits and NUL in paths, writing none of the files', async () => {
        const error = await sb
          .writeFiles([
            { path: '/tmp/fine.txt', content: 'x' },
            { path: '/tmp/suid', content: 'x', mode: -1 },
            { path: '/tmp/a\0b', content: 'x' },
          ])
          .catch((e: unknown) => e);
        expect(InvalidArgumentError.is(error)).toBe(true);
        expect((error as InvalidArgumentError).issues.map((i) => i.path)).toEqual([
          'files[1].mode',
          'files[2].path',
        ]);
        expect((await sb.exec(['ls', '/tmp'])).stdout).not.toContain('fine.txt');
      });
    });

    describe('reading files', () => {
      it('readFile of a directory is a NotAFileError, not its first file', async () => {
        const error = await sb.readFile('/etc').catch((e: unknown) => e);
        expect(NotAFileError.is(error)).toBe(true);
        expect(error).toMatchObject({ path: '/etc', kind: 'directory', sandboxId: sb.id });
      });

      it('readFile of a missing path is a FileNotFoundError naming it', async () => {
        const error = await sb.readFile('/no/such/file').catch((e: unknown) => e);
        expect(FileNotFoundError.is(error)).toBe(true);
        expect(error).toMatchObject({ path: '/no/such/file', containerId: sb.containerId, image: sb.image });
        expect((error as Error).cause).toBeDefined();
      });

      it('readFile follows symlinks inside the sandbox, absolute and relative', async () => {
        await sb.exec([
          'sh',
          '-c',
          'mkdir -p /tmp/links && echo target > /tmp/links/t && ln -sf /tmp/links/t /tmp/links/abs && ln -sf t /tmp/links/rel && ln -sf rel /tmp/links/chain',
        ]);
        for (const link of ['abs', 'rel', 'chain']) {
          expect((await sb.readFile(`/tmp/links/${link}`)).toString()).toBe('target\n');
        }
      });
    });

    describe('copying directories', () => {
      beforeAll(async () => {
        await sb.exec([
          'sh',
          '-c',
          [
            'mkdir -p /tmp/tree/sub',
            'echo data > /tmp/tree/sub/file',
            'ln -s /etc/passwd /tmp/tree/absolute',
            'ln -s sub/file /tmp/tree/relative',
            'ln -s /etc /tmp/tree/etc-dir',
            'ln -s ../../../../.. /tmp/tree/up',
          ].join(' && '),
        ]);
      });

      it('copies symlinks as symlinks with their targets verbatim, following none', async () => {
        const out = join(await tempDir('sandkit-links-'), 'out');
        await sb.copyDirectoryOut('/tmp/tree', out);
        expect((await readdir(out)).sort()).toEqual(['absolute', 'etc-dir', 'relative', 'sub', 'up']);
        for (const [name, target] of [
          ['absolute', '/etc/passwd'],
          ['relative', 'sub/file'],
          ['etc-dir', '/etc'],
          ['up', '../../../../..'],
        ] as const) {
          expect((await lstat(join(out, name))).isSymbolicLink(), name).toBe(true);
          expect(await readlink(join(out, name))).toBe(target);
        }
        expect(await readFile(join(out, 'sub/file'), 'utf8')).toBe('data\n');
      });

      it('leaves nothing behind when the source is missing', async () => {
        const parent = await tempDir('sandkit-missing-');
        const error = await sb.copyDirectoryOut('/no/such/dir', join(parent, 'out')).catch((e: unknown) => e);
        expect(FileNotFoundError.is(error)).toBe(true);
        expect(await readdir(parent)).toEqual([]);
      });

      it('fails with CopyFailedError when the host runs out of space, leaving no partial files', async () => {
        await sb.exec([
          'sh',
          '-c',
          'mkdir -p /tmp/big && head -c 600000 /dev/zero > /tmp/big/a && head -c 900000 /dev/zero > /tmp/big/b',
        ]);
        const small = await tempDir('sandkit-enospc-');
        await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'sandkit-test', small]);
        try {
          const error = await sb.copyDirectoryOut('/tmp/big', join(small, 'out')).catch((e: unknown) => e);
          expect(CopyFailedError.is(error)).toBe(true);
          expect((error as Error).message).toContain('no space left on the host');
          expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('ENOSPC');
          expect(await readdir(small)).toEqual([]);
        } finally {
          await run('umount', [small]);
        }
      });

      it('copying in a host directory that does not exist is a CopyFailedError naming it', async () => {
        const missing = join(await tempDir('sandkit-in-'), 'missing');
        const error = await sb.copyDirectoryIn(missing, '/tmp/in').catch((e: unknown) => e);
        expect(CopyFailedError.is(error)).toBe(true);
        expect(error).toMatchObject({ hostPath: missing, sandboxId: sb.id });
        expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('ENOENT');
      });

      it('merges into an existing directory only once everything arrived', async () => {
        const out = await tempDir('sandkit-merge-');
        await mkdir(join(out, 'sub'));
        await run('sh', ['-c', `echo mine > ${join(out, 'keep')} && echo old > ${join(out, 'sub/file')}`]);
        await sb.copyDirectoryOut('/tmp/tree', out);
        expect(await readFile(join(out, 'keep'), 'utf8')).toBe('mine\n');
        expect(await readFile(join(out, 'sub/file'), 'utf8')).toBe('data\n');
      });
    });

    describe('engine failures', () => {
      it('a call the engine refuses for a stopped sandbox is a SandboxNotRunningError with the engine’s words', async () => {
        const stopped = await runtime.create(base);
        try {
          const { docker } = await testEngine();
          await docker.getContainer(stopped.containerId).kill();
          await docker.getContainer(stopped.containerId).wait();
          const error = await stopped.exec(['true']).catch((e: unknown) => e);
          expect(SandboxNotRunningError.is(error)).toBe(true);
          expect(error).toMatchObject({
            runtime: runtime.name,
            sandboxId: stopped.id,
            containerId: stopped.containerId,
            image: stopped.image,
          });
          expect((error as Error).message).toMatch(/is not running/);
          expect(((error as Error).cause as { statusCode: number }).statusCode).toBe(409);
        } finally {
          await stopped.destroy();
        }
      });

      it('any other refusal is an EngineRequestError carrying the status and the engine’s message', async () => {
        const engine = await testEngine();
        // exec([]) is refused by sandkit before the engine sees it; asked directly, the engine says 400.
        const raw = await engine.docker
          .getContainer(sb.containerId)
          .exec({ Cmd: [] })
          .catch((e: unknown) => e);
        const error = toSandkitError(raw, 'run a command', engine, { sandboxId: sb.id });
        expect(EngineRequestError.is(error)).toBe(true);
        expect(error).toMatchObject({ statusCode: 400, sandboxId: sb.id, cause: raw });
        expect((error as EngineRequestError).engineMessage).toMatch(/exec command/i);
      });

      it('creating on an engine that does not answer gives EngineUnreachableError and leaves nothing', async () => {
        const relay = await startEngineRelay(await testEngine());
        const ownSession = createSession();
        try {
          await relay.down();
          const error = await target
            .runtime(ownSession, relay.engine)
            .create(base)
            .catch((e: unknown) => e);
          expect(EngineUnreachableError.is(error)).toBe(true);
          expect((error as Error).message).toContain(relay.engine.address);
        } finally {
          await relay.close();
        }
        expect(await leftovers({ session: ownSession.id })).toEqual(NOTHING_LEFT);
      });

      it('an engine that stops answering gives EngineUnreachableError, and a failed destroy is retried', async () => {
        const relay = await startEngineRelay(await testEngine());
        const relayed = target.runtime(session, relay.engine);
        const viaRelay = await relayed.create(base);
        try {
          await relay.down();
          const execError = await viaRelay.exec(['true']).catch((e: unknown) => e);
          expect(EngineUnreachableError.is(execError)).toBe(true);
          // Refused for a new connection; a pooled one the relay dropped breaks on write instead.
          expect(['ECONNREFUSED', 'EPIPE', 'ECONNRESET']).toContain(
            ((execError as Error).cause as NodeJS.ErrnoException).code,
          );
          expect(execError).toMatchObject({ sandboxId: viaRelay.id, containerId: viaRelay.containerId });

          const destroyError = await viaRelay.destroy().catch((e: unknown) => e);
          expect(EngineUnreachableError.is(destroyError)).toBe(true);
          expect((destroyError as Error).message).toContain(relay.engine.address);
          // The sandbox is still there: nothing was removed while the engine could not be reached.
          expect((await leftovers({ sandbox: viaRelay.id })).containers).toHaveLength(1);

          await relay.up();
          await viaRelay.destroy();
          expect(await leftovers({ sandbox: viaRelay.id })).toEqual(NOTHING_LEFT);
          await viaRelay.destroy();
        } finally {
          await relay.up().catch(() => {});
          await viaRelay.destroy().catch(() => {});
          await relay.close();
        }
      });
    });
  });
}
