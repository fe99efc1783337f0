import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CancelledError,
  createSession,
  ExecCancelledError,
  ExecFailedError,
  ExecOutputTooLargeError,
  ExecTimedOutError,
  ImagePullError,
  InvalidSpecError,
  type Runtime,
  type Sandbox,
  SandboxDestroyedError,
  StartFailedError,
} from '@sandkit/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sweepByLabel } from '../../packages/core/src/engine/sweep-by-label.js';
import { leftovers, NOTHING_LEFT, testEngine } from '../support/engine.js';
import { processesLeft } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';
import { CONTRACT_TARGETS } from './targets.js';

const images = inject('images');

for (const target of CONTRACT_TARGETS) {
  const skipReason = await target.skipReason();
  if (skipReason) console.warn(`[contract] skipping "${target.name}": ${skipReason}`);

  describe.skipIf(skipReason !== undefined)(`Sandbox contract: ${target.name}`, () => {
    const base = target.spec(images);

    describe('a running sandbox', () => {
      const session = createSession();
      let runtime: Runtime;
      let sb: Sandbox;

      beforeAll(async () => {
        runtime = target.runtime(session);
        sb = await runtime.create({
          ...base,
          env: { GREETING: 'hello' },
          workdir: '/tmp',
          files: [{ path: '/spec-files/secret', content: 'only root reads this', mode: 0o600 }],
        });
      });
      afterAll(async () => {
        await sb?.destroy();
      });

      it('has a uuid v7 id, its runtime, container and image', async () => {
        expect(sb.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(sb.runtime).toBe(runtime.name);
        expect(sb.image).toBe(base.image);
        const { docker } = await testEngine();
        const info = await docker.getContainer(sb.containerId).inspect();
        expect(info.Config.Labels['dev.sandkit.sandbox']).toBe(sb.id);
        expect(info.Config.Labels['dev.sandkit.session']).toBe(session.id);
      });

      describe('exec', () => {
        it('returns stdout, stderr and the exit code separately', async () => {
          const result = await sb.exec(['sh', '-c', 'echo out; echo err >&2; exit 0']);
          expect(result).toMatchObject({
            exitCode: 0,
            stdout: 'out\n',
            stderr: 'err\n',
            command: ['sh', '-c', 'echo out; echo err >&2; exit 0'],
          });
          expect(result.durationMs).toBeGreaterThanOrEqual(0);
        });

        it('rejects with ExecFailedError on a non-zero exit, carrying the output', async () => {
          const error = await sb
            .exec(['sh', '-c', 'echo partial; echo why >&2; exit 3'])
            .catch((e: unknown) => e);
          expect(ExecFailedError.is(error)).toBe(true);
          expect((error as ExecFailedError).result).toMatchObject({
            exitCode: 3,
            stdout: 'partial\n',
            stderr: 'why\n',
          });
          expect((error as ExecFailedError).sandboxId).toBe(sb.id);
        });

        it('returns a non-zero exit code instead of throwing with reject: false', async () => {
          expect((await sb.exec(['sh', '-c', 'exit 42'], { reject: false })).exitCode).toBe(42);
        });

        it('fails clearly when the command does not exist', async () => {
          const result = await sb.exec(['/no/such/binary'], { reject: false });
          expect(result.exitCode).not.toBe(0);
          expect(result.exitCode).toBeDefined();
        });

        it('passes environment, working directory and user', async () => {
          expect(
            (await sb.exec(['sh', '-c', 'echo $GREETING $EXTRA'], { env: { EXTRA: 'world' } })).stdout,
          ).toBe('hello world\n');
          expect((await sb.exec(['pwd'])).stdout).toBe('/tmp\n');
          expect((await sb.exec(['pwd'], { cwd: '/etc' })).stdout).toBe('/etc\n');
          expect((await sb.exec(['id', '-u'], { user: '65534' })).stdout).toBe('65534\n');
          expect((await sb.exec(['id', '-un'], { user: 'nobody' })).stdout).toBe('nobody\n');
        });

        it('feeds stdin from a string, bytes or a stream, then closes it', async () => {
          expect((await sb.exec(['cat'], { stdin: 'from a string' })).stdout).toBe('from a string');
          expect((await sb.exec(['wc', '-c'], { stdin: new Uint8Array(100_000) })).stdout.trim()).toBe(
            '100000',
          );
          const stream = Readable.from(['line 1\n', 'line 2\n']);
          expect((await sb.exec(['sort', '-r'], { stdin: stream })).stdout).toBe('line 2\nline 1\n');
          expect((await sb.exec(['cat'])).stdout).toBe('');
        });

        it('returns large output intact', async () => {
          const result = await sb.exec([
            'sh',
            '-c',
            'head -c 8000000 /dev/zero | tr "\\0" x; echo; echo done >&2',
          ]);
          expect(result.stdout.length).toBe(8_000_001);
          expect(result.stderr).toBe('done\n');
        });

        it('kills the command and throws ExecOutputTooLargeError past maxBuffer', async () => {
          const error = await sb.exec(['sh', '-c', 'yes'], { maxBuffer: 100_000 }).catch((e: unknown) => e);
          expect(ExecOutputTooLargeError.is(error)).toBe(true);
          expect((error as ExecOutputTooLargeError).result.stdout.length).toBe(100_000);
          expect(await processesLeft(sb, 'yes')).toEqual([]);
        });

        it('kills the command and throws ExecTimedOutError after timeoutMs', async () => {
          const started = Date.now();
          const error = await sb
            .exec(['sh', '-c', 'echo started; sleep 30'], { timeoutMs: 500 })
            .catch((e: unknown) => e);
          expect(ExecTimedOutError.is(error)).toBe(true);
          expect((error as ExecTimedOutError).result.stdout).toBe('started\n');
          expect((error as ExecTimedOutError).result.exitCode).toBeUndefined();
          expect(Date.now() - started).toBeLessThan(10_000);
          expect(await processesLeft(sb, 'sleep 30')).toEqual([]);
        });

        it('kills the command and throws ExecCancelledError when its signal aborts mid-run', async () => {
          const controller = new AbortController();
          setTimeout(() => controller.abort(), 300);
          const error = await sb
            .exec(['sleep', '31'], { signal: controller.signal })
            .catch((e: unknown) => e);
          expect(ExecCancelledError.is(error)).toBe(true);
          expect(await processesLeft(sb, 'sleep 31')).toEqual([]);
        });

        it('does not start at all with an already aborted signal', async () => {
          const error = await sb
            .exec(['touch', '/tmp/should-not-exist'], { signal: AbortSignal.abort() })
            .catch((e: unknown) => e);
          expect(ExecCancelledError.is(error)).toBe(true);
        });

        it('returns when the command exits even if a background child keeps its output open', async () => {
          const result = await sb.exec(['sh', '-c', 'sleep 20 & echo parent done']);
          expect(result).toMatchObject({ exitCode: 0, stdout: 'parent done\n' });
          expect(result.durationMs).toBeLessThan(10_000);
        });

        it('streams: writes to stdin and reads stdout while the command runs', async () => {
          const proc = await sb.execStream([
            'sh',
            '-c',
            'while read line; do echo "got $line"; done; exit 7',
          ]);
          const chunks: string[] = [];
          proc.stdout.on('data', (c: Buffer) => chunks.push(c.toString()));
          const firstReply = once(proc.stdout, 'data');
          proc.stdin.write('a\n');
          await firstReply;
          // The reply came while stdin is still open: the command is interactive, not buffered to the end.
          expect(chunks.join('')).toBe('got a\n');
          proc.stdin.end('b\n');
          await expect(proc.exited).resolves.toMatchObject({ exitCode: 7 });
          expect(chunks.join('')).toBe('got a\ngot b\n');
        });
      });

      describe('files', () => {
        it('writes and reads back binary content with its mode, creating parent directories', async () => {
          const content = randomBytes(1_000_000);
          await sb.writeFiles([
            { path: '/data/deep/nested/blob.bin', content, mode: 0o600 },
            { path: '/data/hello.txt', content: 'héllo\n', uid: 65534, gid: 65534 },
          ]);
          expect((await sb.readFile('/data/deep/nested/blob.bin')).equals(content)).toBe(true);
          expect((await sb.readFile('/data/hello.txt')).toString()).toBe('héllo\n');
          expect(
            (await sb.exec(['stat', '-c', '%a %u', '/data/deep/nested/blob.bin', '/data/hello.txt'])).stdout,
          ).toBe('600 0\n644 65534\n');
        });

        it("writes the spec's files before start, owned by the sandbox's root", async () => {
          expect((await sb.exec(['stat', '-c', '%a %u:%g', '/spec-files/secret'])).stdout).toBe('600 0:0\n');
          expect((await sb.exec(['cat', '/spec-files/secret'])).stdout).toBe('only root reads this');
        });

        it('keeps owners as the sandbox sees them, both ways, as docker cp does (uid 0 is the sandbox root)', async () => {
          const source = await tempDir('sandkit-owners-');
          await writeFile(join(source, 'owned.txt'), 'owned\n');
          await chown(join(source, 'owned.txt'), 1234, 4321);
          await sb.copyDirectoryIn(source, '/owners/in');
          await sb.writeFiles([{ path: '/owners/written.txt', content: 'w', mode: 0o600 }]);
          await sb.exec(['sh', '-c', 'echo made > /owners/made.txt && chown 2345:5432 /owners/made.txt']);
          expect(
            (await sb.exec(['stat', '-c', '%u:%g', '/owners/in/owned.txt', '/owners/written.txt'])).stdout,
          ).toBe('1234:4321\n0:0\n');
          // The sandbox's root can read its own mode-0600 file.
          expect((await sb.exec(['cat', '/owners/written.txt'])).stdout).toBe('w');

          const target = await tempDir('sandkit-owners-out-');
          await sb.copyDirectoryOut('/owners', target);
          const owner = async (path: string) => {
            const s = await stat(join(target, path));
            return `${s.uid}:${s.gid}`;
          };
          expect([await owner('made.txt'), await owner('written.txt'), await owner('in/owned.txt')]).toEqual([
            '2345:5432',
            '0:0',
            '1234:4321',
          ]);
        });

        it('writes and reads files on the tmpfs at /dev/shm, where the job sees them', async () => {
          await sb.writeFiles([{ path: '/dev/shm/from-host', content: 'in shared memory' }]);
          expect((await sb.exec(['cat', '/dev/shm/from-host'])).stdout).toBe('in shared memory');
          await sb.exec(['sh', '-c', 'echo from the job > /dev/shm/from-job']);
          expect((await sb.readFile('/dev/shm/from-job')).toString()).toBe('from the job\n');
        });

        it('copies directory trees in and out with content and modes', async () => {
          const source = await tempDir('sandkit-in-');
          await mkdir(join(source, 'a/b'), { recursive: true });
          await writeFile(join(source, 'a/b/run.sh'), '#!/bin/sh\necho ran\n', { mode: 0o755 });
          await writeFile(join(source, 'top.bin'), randomBytes(4096));
          await sb.copyDirectoryIn(source, '/copied/in');
          expect((await sb.exec(['/copied/in/a/b/run.sh'])).stdout).toBe('ran\n');

          const target = await tempDir('sandkit-out-');
          await sb.copyDirectoryOut('/copied/in', target);
          expect(await readFile(join(target, 'top.bin'))).toEqual(await readFile(join(source, 'top.bin')));
          expect((await stat(join(target, 'a/b/run.sh'))).mode & 0o777).toBe(0o755);
        });

        it('cancels copies with CancelledError when the signal aborts or the timeout passes, and the sandbox stays usable', async () => {
          await sb.exec(['sh', '-c', 'head -c 50000000 /dev/zero > /tmp/big.bin']);
          const aborted = await sb
            .readFile('/tmp/big.bin', { signal: AbortSignal.abort() })
            .catch((e: unknown) => e);
          expect(CancelledError.is(aborted)).toBe(true);
          for (const timeoutMs of [1, 150]) {
            const timedOut = await sb.readFile('/tmp/big.bin', { timeoutMs }).catch((e: unknown) => e);
            expect(CancelledError.is(timedOut)).toBe(true);
            expect((timedOut as CancelledError).timedOut).toBe(true);
            expect((timedOut as Error).message).toContain('readFile timed out');
          }
          const upload = await sb
            .writeFiles([{ path: '/tmp/up.bin', content: new Uint8Array(50_000_000) }], { timeoutMs: 50 })
            .catch((e: unknown) => e);
          expect(CancelledError.is(upload)).toBe(true);
          // The engine locks a container while it streams an archive: abandoned copies must not keep it.
          expect(
            (await sb.exec(['rm', '-f', '/tmp/big.bin', '/tmp/up.bin'], { timeoutMs: 10_000 })).exitCode,
          ).toBe(0);
        });
      });

      if (target.docker === 'none')
        it('has no engine access with docker: none', () => {
          expect(sb.dockerHost).toBeUndefined();
          expect(() => sb.docker()).toThrow(/no Docker engine access/);
        });

      if (target.docker === 'isolated')
        it('has its own Docker daemon, reachable from the host and from inside', async () => {
          const { docker: host } = await testEngine();
          const [outer, inner] = await Promise.all([host.info(), sb.docker().info()]);
          expect(inner.ID).not.toBe(outer.ID);
          expect(inner.Driver).toBe('overlay2');
          expect(sb.dockerHost).toMatch(/^unix:\/\//);
          expect((await sb.exec(['docker', 'info', '--format', '{{.ID}}'])).stdout.trim()).toBe(inner.ID);
        });
    });

    describe('output and ports', () => {
      const session = createSession();
      const runtime = target.runtime(session);

      it('keeps the main process output apart by stream and follows new lines', async () => {
        await using sb = await runtime.create({
          ...base,
          cmd: [
            'sh',
            '-c',
            'echo first; echo oops >&2; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done',
          ],
          readiness: { log: 'tick 2' },
        });
        const logs = await sb.logs();
        expect(logs.stdout).toMatch(/^first\ntick 1\ntick 2\n/);
        expect(logs.stderr).toBe('oops\n');
        expect((await sb.logs({ tail: 1 })).stdout).toMatch(/^tick \d+\n$/);

        const controller = new AbortController();
        const lines: string[] = [];
        for await (const { stream, line } of sb.followLogs({ signal: controller.signal, tail: 0 })) {
          expect(stream).toBe('stdout');
          lines.push(line);
          if (lines.length === 2) controller.abort();
        }
        expect(lines).toHaveLength(2);
        expect(lines[0]).toMatch(/^tick \d+$/);
      });

      it('publishes listed ports on a host-reachable endpoint', async () => {
        await using sb = await runtime.create({
          ...base,
          files: [{ path: '/www/index.html', content: 'served by the sandbox' }],
          cmd: ['httpd', '-f', '-p', '8080', '-h', '/www'],
          ports: [8080],
          readiness: { port: 8080 },
        });
        const endpoint = await sb.endpoint(8080);
        expect(endpoint.port).toBeGreaterThan(0);
        expect(await fetch(`http://${endpoint}/`).then((r) => r.text())).toBe('served by the sandbox');
        await expect(sb.endpoint(9999)).rejects.toThrow(/not published/);
      });

      it('has an address of its own that the host reaches on any port, published or not', async () => {
        await using sb = await runtime.create({
          ...base,
          files: [{ path: '/www/index.html', content: 'reached by address' }],
          cmd: ['httpd', '-f', '-p', '8081', '-h', '/www'],
          readiness: { port: 8081 },
        });
        const address = await sb.address();
        expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect(await fetch(`http://${address}:8081/`).then((r) => r.text())).toBe('reached by address');
        // Like every call, it can be cancelled, and says which call was.
        await expect(sb.address({ signal: AbortSignal.abort() })).rejects.toMatchObject({
          name: 'CancelledError',
          operation: 'address',
        });
        await expect(sb.address({ timeoutMs: -1 })).rejects.toThrow(/options\.timeoutMs/);
      });

      afterAll(async () => {
        expect(
          await leftovers(
            { session: session.id },
            { sessionNetworkKept: target.keepsSessionNetwork === true },
          ),
        ).toEqual(NOTHING_LEFT);
      });
    });

    describe('lifecycle and failure paths (each leaves nothing behind)', () => {
      const session = createSession();
      const runtime = target.runtime(session);
      const nothingLeft = async () =>
        expect(
          await leftovers(
            { session: session.id },
            { sessionNetworkKept: target.keepsSessionNetwork === true },
          ),
        ).toEqual(NOTHING_LEFT);

      it('reports whether its main process runs, and its exit code once it stopped', async () => {
        await using sb = await runtime.create(base);
        expect(await sb.status()).toEqual({ running: true, exitCode: undefined });
        const { docker } = await testEngine();
        await docker.getContainer(sb.containerId).kill();
        await docker.getContainer(sb.containerId).wait();
        expect(await sb.status()).toEqual({ running: false, exitCode: 137 });
      });

      it('destroy removes the sandbox, is idempotent, and later calls say it is gone', async () => {
        const sb = await runtime.create(base);
        await Promise.all([sb.destroy(), sb.destroy()]);
        await sb.destroy();
        await nothingLeft();
        expect(() => sb.exec(['true'])).toThrow(SandboxDestroyedError);
      });

      it('`await using` destroys the sandbox when the block ends, even on error', async () => {
        let id = '';
        await expect(
          (async () => {
            await using sb = await runtime.create(base);
            id = sb.id;
            throw new Error('job failed');
          })(),
        ).rejects.toThrow('job failed');
        expect(id).not.toBe('');
        await nothingLeft();
      });

      it('rejects an invalid spec with InvalidSpecError before touching the engine', async () => {
        const error = await runtime
          .create({ ...base, ports: [70000], resources: { memoryBytes: 1 } })
          .catch((e: unknown) => e);
        expect(InvalidSpecError.is(error)).toBe(true);
        expect((error as InvalidSpecError).issues.map((i) => i.path)).toEqual([
          'resources.memoryBytes',
          'ports[0]',
        ]);
        await nothingLeft();
      });

      it('fails with ImagePullError for an image that is absent and cannot be pulled', async () => {
        const error = await runtime
          .create({ ...base, image: 'sandkit-test/does-not-exist:never', pull: 'never' })
          .catch((e: unknown) => e);
        expect(ImagePullError.is(error)).toBe(true);
        expect((error as Error).message).toContain('sandkit-test/does-not-exist:never');
        await nothingLeft();
      });

      it('fails with StartFailedError and the log tail when the main process exits at once', async () => {
        const error = await runtime
          .create({
            ...base,
            cmd: ['sh', '-c', 'echo cannot start: missing config >&2; exit 3'],
            readiness: { exec: ['true'] },
          })
          .catch((e: unknown) => e);
        expect(StartFailedError.is(error)).toBe(true);
        expect((error as StartFailedError).logTail).toContain('cannot start: missing config');
        expect((error as Error).message).toContain('exited with code 3');
        await nothingLeft();
      });

      it('fails with StartFailedError when the command cannot be started', async () => {
        const error = await runtime.create({ ...base, cmd: ['/no/such/entry'] }).catch((e: unknown) => e);
        expect(StartFailedError.is(error)).toBe(true);
        await nothingLeft();
      });

      it('times out with CancelledError and the log tail when readiness never comes', async () => {
        const error = await runtime
          .create(
            {
              ...base,
              cmd: ['sh', '-c', 'echo still booting; sleep 600'],
              readiness: { log: 'never printed' },
            },
            // Long enough for a loaded machine to start the container (and its command to print).
            { timeoutMs: 4_000 },
          )
          .catch((e: unknown) => e);
        expect(CancelledError.is(error)).toBe(true);
        expect((error as CancelledError).timedOut).toBe(true);
        // Isolated sandboxes may still be starting their inner daemon when the deadline passes.
        expect((error as Error).message).toMatch(
          /timed out while (waiting for readiness|starting the engine inside)/,
        );
        expect((error as Error).message).toContain('still booting');
        await nothingLeft();
      });

      it.each([0, 50, 250, 600])(
        'cancels with CancelledError when aborted %i ms into create',
        async (afterMs) => {
          const controller = new AbortController();
          setTimeout(() => controller.abort(), afterMs);
          const error = await runtime
            .create(
              { ...base, readiness: { exec: ['sh', '-c', 'sleep 0.3; true'] } },
              { signal: controller.signal },
            )
            .then(
              async (sb) => {
                // Creation may finish before the abort lands; then the sandbox is valid and the caller owns it.
                await sb.destroy();
                return undefined;
              },
              (e: unknown) => e,
            );
          if (error !== undefined) expect(CancelledError.is(error)).toBe(true);
          await nothingLeft();
        },
      );

      it('does not touch the engine when the signal is already aborted', async () => {
        const error = await runtime.create(base, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
        expect(CancelledError.is(error)).toBe(true);
        await nothingLeft();
      });

      it("a label sweep of the runtime's engine removes every object of the session", async () => {
        await runtime.create(base);
        await runtime.create(base);
        const report = await sweepByLabel(await runtime.engine(), { session: session.id });
        expect(report.containers).toHaveLength(2);
        await nothingLeft();
      });
    });
  });
}
