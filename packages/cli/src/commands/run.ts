import { type DockerAccess, isSandkitError, type SandboxSpec } from '@sandkit/core';
import { outputMode, Reporter } from '../output/reporter.js';
import { cliSandkit } from '../runtimes.js';

/** Options of `sandkit run`. */
export interface RunOptions {
  runtime?: string;
  docker: DockerAccess;
  seed?: string[];
  allowInsecure?: boolean;
  env?: string[];
  timeout?: string;
  json?: boolean;
}

/**
 * Exit code of `sandkit run` when sandkit itself failed (the sandbox could not
 * be created, the engine failed): as `docker run`'s 125, distinct from any
 * code the command exits with.
 */
export const RUN_FAILED_EXIT_CODE = 125;

/**
 * `sandkit run IMAGE -- CMD…`: creates a sandbox, runs the command in it with
 * its output streamed, removes the sandbox (also on Ctrl-C or SIGTERM) and
 * exits with the command's exit code (128 + signal number when interrupted,
 * 124 on `--timeout`, {@link RUN_FAILED_EXIT_CODE} when sandkit failed, the
 * engine's 126 when the command could not be started, e.g. was not found).
 * With `--json`, stdout carries only NDJSON events: the command's output
 * comes as `{"event":"output","stream":"stdout"|"stderr","text":…}`.
 */
export async function runCommand(image: string, command: string[], options: RunOptions): Promise<number> {
  const reporter = new Reporter(outputMode(options.json));
  if (command.length === 0)
    throw new Error('Give the command to run after `--`, e.g. `sandkit run busybox -- echo hi`.');
  const sandkit = cliSandkit(options, reporter);
  sandkit.on('phase', ({ phase }) => reporter.info(`  ${phase}`, { event: 'phase-detail', phase }));
  const interrupted = new AbortController();
  let signalExit = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signalExit = 128 + (signal === 'SIGINT' ? 2 : 15);
    reporter.warn(`${signal}: stopping the command and removing the sandbox`);
    interrupted.abort(new Error(signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const spec: SandboxSpec = {
      image,
      docker: options.docker,
      ...(options.docker === 'isolated' ? {} : { cmd: ['sleep', 'infinity'] }),
      ...(options.seed?.length ? { seed: { images: options.seed } } : {}),
      ...(options.env?.length
        ? {
            env: Object.fromEntries(
              options.env.map((e) => [e.split('=')[0], e.split('=').slice(1).join('=')]),
            ),
          }
        : {}),
      // --allow-insecure is the operator saying this job may run on the privileged fallback.
      ...(options.allowInsecure ? { trust: 'trusted' as const } : {}),
    };
    const choice = await sandkit.explain(spec, options.runtime ? { runtime: options.runtime } : {});
    reporter.info(`runtime: ${choice.chosen ?? 'none fits'} — ${choice.reasons.join('; ')}`, {
      event: 'runtime',
      choice,
    });
    for (const rejected of choice.rejected)
      reporter.info(`  not ${rejected.runtime}: ${rejected.reasons.join('; ')}`);
    const sandbox = await reporter.phase(`creating the sandbox (${options.docker})`, () =>
      sandkit.create(spec, {
        signal: interrupted.signal,
        ...(options.runtime ? { runtime: options.runtime } : {}),
      }),
    );
    reporter.event({ event: 'ready', sandboxId: sandbox.id, runtime: sandbox.runtime });
    const timeoutMs = options.timeout ? Number(options.timeout) * 1000 : undefined;
    const proc = await sandbox.execStream(command, {
      signal: interrupted.signal,
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    if (reporter.mode === 'json') {
      for (const stream of ['stdout', 'stderr'] as const) {
        proc[stream].setEncoding('utf8');
        proc[stream].on('data', (text: string) => reporter.event({ event: 'output', stream, text }));
      }
    } else {
      proc.stdout.pipe(process.stdout, { end: false });
      proc.stderr.pipe(process.stderr, { end: false });
    }
    if (!process.stdin.isTTY) process.stdin.pipe(proc.stdin);
    else proc.stdin.end();
    const { exitCode } = await proc.exited;
    reporter.event({ event: 'exited', exitCode });
    return exitCode ?? 137;
  } catch (error) {
    if (signalExit) return signalExit;
    if (isSandkitError(error) && error.code === 'SANDKIT_EXEC_TIMED_OUT') {
      reporter.warn(error.shortMessage);
      return 124;
    }
    throw error;
  } finally {
    process.stdin.unpipe();
    process.stdin.pause();
    await reporter.phase('removing the sandbox', () => sandkit.close());
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
