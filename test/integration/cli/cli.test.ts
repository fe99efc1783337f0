import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createSession } from '@sandkit/core';
import { socket } from '@sandkit/runtime-socket';
import { execa } from 'execa';
import { describe, expect, inject, it } from 'vitest';
import { leftovers, NOTHING_LEFT } from '../../support/engine.js';
import { SYSTEM_CONTAINER_MODES } from '../../support/system-container-modes.js';

const images = inject('images');
const realSysbox = SYSTEM_CONTAINER_MODES.find((mode) => mode.sysbox);
const BIN = join(import.meta.dirname, '../../../packages/cli/dist/bin.js');
const sandkit = (args: string[], options: { input?: string } = {}) =>
  execa(process.execPath, [BIN, ...args], {
    reject: false,
    ...(options.input !== undefined ? { input: options.input } : {}),
  });

describe('sandkit run', () => {
  it('streams the command output and exits with its exit code', async () => {
    const result = await sandkit(['run', images.busybox, '--', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
    expect(result.exitCode).toBe(7);
    expect(result.stdout).toBe('out');
    expect(result.stderr).toContain('err');
    expect(result.stderr).toContain('runtime: socket');
  });

  it('feeds its standard input to the command', async () => {
    const result = await sandkit(['run', images.busybox, '--', 'tr', 'a-z', 'A-Z'], { input: 'piped in\n' });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'PIPED IN' });
  });

  it('runs in a sandbox with its own seeded daemon when asked, saying why the runtime was chosen', async () => {
    const result = await sandkit([
      'run',
      '--docker',
      'isolated',
      '--allow-insecure',
      '--seed',
      images.busybox,
      images.dind,
      '--',
      'docker',
      'run',
      '--rm',
      images.busybox,
      'echo',
      'inside the inner daemon',
    ]);
    expect(result.stdout).toBe('inside the inner daemon');
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/runtime: sysbox/);
  });

  it('with --json writes only NDJSON events on stdout, the command output among them', async () => {
    const result = await sandkit([
      'run',
      '--json',
      images.busybox,
      '--',
      'sh',
      '-c',
      'echo out; echo err >&2',
    ]);
    expect(result.exitCode).toBe(0);
    const events = result.stdout.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const output = (stream: string) =>
      events
        .filter((e) => e.event === 'output' && e.stream === stream)
        .map((e) => e.text)
        .join('');
    expect(output('stdout')).toBe('out\n');
    expect(output('stderr')).toBe('err\n');
    expect(events).toContainEqual(expect.objectContaining({ event: 'exited', exitCode: 0 }));
  });

  it("exits 125 when sandkit itself fails, distinct from any of the command's codes", async () => {
    const result = await sandkit(['run', 'sandkit-test/not-on-this-engine:1', '--', 'true']);
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toMatch(/sandkit-test\/not-on-this-engine:1/);
  });

  it("exits with the engine's 126 when the command cannot be started, e.g. is not found", async () => {
    const result = await sandkit(['run', images.busybox, '--', 'no-such-command-here']);
    expect(result.exitCode).toBe(126);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('on %s stops the command, removes the sandbox and exits with %i', async (signal, code) => {
    const child = execa(process.execPath, [BIN, 'run', '--json', images.busybox, '--', 'sleep', '60'], {
      reject: false,
    });
    let sandboxId = '';
    for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
      const event = JSON.parse(line) as { event: string; sandboxId?: string };
      if (event.event === 'ready') {
        sandboxId = event.sandboxId as string;
        break;
      }
    }
    expect(sandboxId).not.toBe('');
    await new Promise((r) => setTimeout(r, 300));
    child.kill(signal);
    const result = await child;
    expect(result.exitCode).toBe(code);
    expect(await leftovers({ sandbox: sandboxId })).toEqual(NOTHING_LEFT);
  });
});

describe('sandkit doctor, ls and gc', () => {
  it('doctor reports each check with pass/warn/fail and what to do next', async () => {
    const result = await sandkit(['doctor', '--json']);
    expect(result.exitCode).toBe(0);
    const { checks } = JSON.parse(result.stdout) as {
      checks: Array<{ check: string; status: string; next?: string }>;
    };
    expect(checks.find((c) => c.check === 'engine')?.status).toBe('pass');
    expect(checks.map((c) => c.check)).toEqual(
      expect.arrayContaining([
        'sysbox',
        'cgroups',
        'seed store',
        'free disk',
        'user namespaces',
        'cluster networking',
        'kubernetes node',
      ]),
    );
    for (const c of checks) if (c.status !== 'pass') expect(c.next).toBeTruthy();
  });

  it.skipIf(realSysbox?.skipReason !== undefined)(
    'doctor passes the sysbox and kubernetes node checks when the engine has Sysbox',
    async () => {
      const { checks } = JSON.parse((await sandkit(['doctor', '--json'])).stdout) as {
        checks: Array<{ check: string; status: string; detail: string }>;
      };
      expect(checks.find((c) => c.check === 'sysbox')).toMatchObject({
        status: 'pass',
        detail: expect.stringContaining('sysbox-runc is registered'),
      });
      // It started a node under Sysbox and found inside what a kubelet needs.
      expect(checks.find((c) => c.check === 'kubernetes node')).toMatchObject({
        status: 'pass',
        detail: expect.stringContaining(
          'a node under Sysbox has what a kubelet needs: shared mount propagation',
        ),
      });
    },
  );

  it('--version prints the version of the CLI package', async () => {
    const result = await sandkit(['--version']);
    expect(result).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('ls shows a table per session with each sandbox age and expiry', async () => {
    const session = createSession();
    await using sb = await socket({ session }).create({
      image: images.busybox,
      pull: 'never',
      ttlMs: 3_600_000,
    });
    const { stdout } = await sandkit(['ls']);
    const block = stdout.slice(stdout.indexOf(`session ${session.id}`));
    const [, header, line] = block.split('\n');
    expect(
      header
        ?.trim()
        .split(/\s{2,}/)
        .map((h) => h.trim()),
    ).toEqual(['SANDBOX', 'RUNTIME', 'STATE', 'AGE', 'EXPIRES IN', 'IMAGE']);
    expect(line).toMatch(new RegExp(`^  ${sb.id}\\s+socket\\s+running\\s+\\d+s\\s+(59|60)m\\s+`));
  });

  it('ls lists live sandboxes by session', async () => {
    const session = createSession();
    await using sb = await socket({ session }).create({ image: images.busybox, pull: 'never' });
    const result = await sandkit(['ls', '--json']);
    const { sandboxes } = JSON.parse(result.stdout) as {
      sandboxes: Array<{ sandbox: string; session: string; ownerAlive: boolean }>;
    };
    expect(sandboxes).toContainEqual(
      expect.objectContaining({ sandbox: sb.id, session: session.id, ownerAlive: true }),
    );
  });

  it('gc runs and reports what it removed', async () => {
    const result = await sandkit([
      'gc',
      '--json',
      '--seed-store',
      join(import.meta.dirname, '../../../node_modules/.sandkit-test-store'),
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('"event":"gc"');
  });
});

describe.skipIf(realSysbox?.skipReason !== undefined)('sandkit demo under a real Sysbox', () => {
  it('chooses Sysbox without --allow-insecure, says so, and runs the main job', async () => {
    const result = await sandkit(['demo', '--json']);
    expect(result.exitCode).toBe(0);
    const events = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { event?: string; choice?: { chosen?: string }; message?: string });
    const runtime = events.find((e) => e.event === 'runtime');
    expect(runtime?.choice?.chosen).toBe('sysbox');
    expect(runtime?.message).toContain('unprivileged system containers');
    expect(result.stdout).toContain('web server says:');
    expect(result.stdout + result.stderr).not.toContain('INSECURE');
  });
});
