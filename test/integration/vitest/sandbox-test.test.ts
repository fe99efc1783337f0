import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, inject, it } from 'vitest';
import { leftovers, NOTHING_LEFT } from '../../support/engine.js';
import { tempDir } from '../../support/temp-dir.js';

const images = inject('images');
const PROJECT = join(import.meta.dirname, '../../support/vitest-project');
const VITEST = join(import.meta.dirname, '../../../node_modules/vitest/vitest.mjs');

interface JsonReport {
  testResults: Array<{
    name: string;
    status: string;
    message?: string;
    assertionResults: Array<{ title: string; status: string; failureMessages: string[] }>;
  }>;
}

describe('@sandkit/vitest in a suite of its own (passing, failing and crashing tests, 2 workers)', async () => {
  const dir = await tempDir('sandkit-vitest-');
  const record = join(dir, 'sandboxes.ndjson');
  const reportFile = join(dir, 'report.json');
  const run = await execa(
    process.execPath,
    [VITEST, 'run', '--root', PROJECT, '--reporter=json', `--outputFile=${reportFile}`],
    {
      reject: false,
      env: { SANDKIT_VITEST_IMAGE: images.busybox, SANDKIT_VITEST_RECORD: record },
    },
  );
  const report = JSON.parse(await readFile(reportFile, 'utf8')) as JsonReport;
  const notes = (await readFile(record, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { file: string; session: string; sandbox: string; pid: number });
  const result = (file: string) => report.testResults.find((r) => r.name.endsWith(file));

  it('fails the run, as its failing and crashing files should', () => {
    expect(run.exitCode).not.toBe(0);
  });

  it('gives each test a running sandbox of its own', () => {
    expect(result('passing.test.ts')?.assertionResults.map((t) => t.status)).toEqual(['passed', 'passed']);
    expect(new Set(notes.map((n) => n.sandbox)).size).toBe(notes.length);
    expect(notes).toHaveLength(4);
  });

  it("shows a failed test's sandbox logs in its failure message", () => {
    const [failure] = result('failing.test.ts')?.assertionResults[0]?.failureMessages ?? [];
    expect(failure).toContain("expected 'what the test got' to be 'what it wanted'");
    expect(failure).toMatch(/Last 50 log lines of sandbox [0-9a-f-]{36} \(socket, /);
    expect(failure).toContain('| said by the sandbox at start');
    expect(failure).toContain('| said by a command');
  });

  it('uses one session per worker process', () => {
    const sessionsByPid = new Map<number, Set<string>>();
    for (const { pid, session } of notes)
      sessionsByPid.set(pid, (sessionsByPid.get(pid) ?? new Set()).add(session));
    for (const sessions of sessionsByPid.values()) expect(sessions.size).toBe(1);
  });

  it('leaves nothing of any worker behind after the run, the SIGKILLed one included', async () => {
    const crashed = notes.find((note) => note.file === 'crashing');
    expect(crashed).toBeDefined();
    expect(() => process.kill(crashed?.pid ?? 0, 0)).toThrow(/ESRCH/);
    // A worker's watchdog sweeps its session within seconds of its death, which may come just as
    // the run ends: give it those seconds, then name whose objects are left.
    const deadline = Date.now() + 15_000;
    for (const { session, file, pid } of notes) {
      let left = await leftovers({ session });
      while (JSON.stringify(left) !== JSON.stringify(NOTHING_LEFT) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        left = await leftovers({ session });
      }
      expect(left, `session ${session} of ${file} (worker ${pid})`).toEqual(NOTHING_LEFT);
    }
  });
});
