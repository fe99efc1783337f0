import { join } from 'node:path';
import { createSession, type Sandbox } from '@sandkit/core';
import { LABEL } from '@sandkit/core/runtime';
import { HTTPD_PAGE, HTTPD_PORT } from '@sandkit/host-setup';
import { socket } from '@sandkit/runtime-socket';
import { sysbox } from '@sandkit/runtime-sysbox';
import { execa } from 'execa';
import { describe, expect, inject, it } from 'vitest';
import { leftovers, NOTHING_LEFT, testEngine } from '../../support/engine.js';
import { SYSTEM_CONTAINER_MODES } from '../../support/system-container-modes.js';

const images = inject('images');
const SUITE = join(import.meta.dirname, '../../support/testcontainers-suite.mjs');

interface SuiteResult {
  page: string;
  copied: string;
  byAlias: string;
  logs: string;
  ids: { web: string; client: string; network: string };
}

/** Runs the testcontainers suite in a process of its own, pointed at `env`'s engine. */
async function runSuite(env: Record<string, string>): Promise<SuiteResult> {
  const run = await execa(process.execPath, [SUITE, images.httpd, String(HTTPD_PORT), images.busybox], {
    env: { TESTCONTAINERS_RYUK_DISABLED: 'true', ...env },
    reject: false,
  });
  expect(run.exitCode, `${run.stderr}\n${run.stdout}`).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as SuiteResult;
}

function expectUsualCallsWorked(result: SuiteResult): void {
  expect(result.page).toBe(HTTPD_PAGE);
  expect(result.copied).toBe('copied in by testcontainers');
  expect(result.byAlias).toBe(HTTPD_PAGE);
  expect(result.logs).toContain('client is up');
}

describe('testcontainers 12 on sandkit', () => {
  it('runs its usual calls through a guarded socket, and what it left running goes with the sandbox', async () => {
    const session = createSession();
    let sb: Sandbox | undefined = await socket({ session }).create({
      image: images.busybox,
      pull: 'never',
      docker: 'shared',
      cmd: ['sleep', 'infinity'],
    });
    let result: SuiteResult;
    try {
      result = await runSuite({ DOCKER_HOST: sb.dockerHost ?? '' });
      expectUsualCallsWorked(result);
      const { docker } = await testEngine();
      // The suite leaves its client container and network running, as a suite cut off midway would.
      const client = await docker.getContainer(result.ids.client).inspect();
      expect(client.Config.Labels[LABEL.sandbox]).toBe(sb.id);
    } finally {
      await sb.destroy();
    }
    const sandboxId = sb.id;
    sb = undefined;
    expect(await leftovers({ sandbox: sandboxId })).toEqual(NOTHING_LEFT);
    expect(await leftovers({ session: session.id })).toEqual(NOTHING_LEFT);
  });

  for (const mode of SYSTEM_CONTAINER_MODES) {
    it.skipIf(mode.skipReason !== undefined)(
      `runs its usual calls against an isolated sandbox's inner daemon (${mode.name})${mode.skipReason ? `: skipped, ${mode.skipReason}` : ''}`,
      async () => {
        const session = createSession();
        const runtime = sysbox({ session, ...mode.options });
        let sandboxId = '';
        {
          await using sb = await runtime.create({
            image: images.dind,
            pull: 'never',
            docker: 'isolated',
            trust: 'trusted',
            seed: { images: [images.httpd, images.busybox], strategy: 'load' },
          });
          sandboxId = sb.id;
          const result = await runSuite({
            DOCKER_HOST: sb.dockerHost ?? '',
            TESTCONTAINERS_HOST_OVERRIDE: await sb.address(),
          });
          expectUsualCallsWorked(result);
          const inner = await sb.docker().getContainer(result.ids.client).inspect();
          expect(inner.State.Running).toBe(true);
        }
        expect(await leftovers({ sandbox: sandboxId })).toEqual(NOTHING_LEFT);
      },
    );
  }
});
