import { type SandboxSpec, Sandkit } from '@sandkit/core';
import { outputMode, Reporter } from '../output/reporter.js';
import { cliRuntimes } from '../runtimes.js';
import { setUpHost } from './setup.js';

/**
 * `sandkit demo`: sandkit's main job, for real. Sets the host up, then runs a
 * sandbox with its own Docker daemon, seeded with the offline image set, in
 * which a job uses those images through the inner `docker` (a web server and a
 * client on an inner network), and reports what happened and how long it took.
 */
export async function demoCommand(options: {
  allowInsecure?: boolean;
  seedStore?: string;
  json?: boolean;
}): Promise<number> {
  const reporter = new Reporter(outputMode(options.json));
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, title: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await reporter.phase(title, work);
    } finally {
      timings[name] = Date.now() - started;
    }
  };
  const { images } = await timed('setup', 'setting up the host', () => setUpHost(reporter));
  await using sandkit = new Sandkit({ runtimes: cliRuntimes(options, reporter) });
  sandkit.on('phase', ({ phase }) => reporter.info(`  ${phase}`));
  const spec: SandboxSpec = {
    image: images.dind,
    pull: 'never',
    docker: 'isolated',
    seed: { images: [images.busybox, images.httpd] },
    // Only the operator's explicit --allow-insecure lets this job onto the privileged fallback.
    trust: options.allowInsecure ? 'trusted' : 'untrusted',
  };
  const choice = await sandkit.explain(spec);
  const probes = await sandkit.probe();
  const sysboxProbe = probes.find((p) => p.runtime === 'sysbox');
  if (sysboxProbe?.insecure || !sysboxProbe?.available) {
    reporter.warn('Sysbox is not installed on this engine.');
  }
  if (!choice.chosen) {
    reporter.warn(
      `no runtime can run this job: ${choice.rejected.map((r) => `${r.runtime}: ${r.reasons.join('; ')}`).join(' | ')}`,
    );
    reporter.warn(
      'Install Sysbox, or re-run with --allow-insecure to use the privileged fallback for this trusted demo job.',
    );
    return 1;
  }
  reporter.info(`runtime chosen: ${choice.chosen} — ${choice.reasons.join('; ')}`, {
    event: 'runtime',
    choice,
  });
  if (sysboxProbe?.insecure)
    reporter.warn('using the INSECURE privileged fallback only because --allow-insecure was given.');

  const sandbox = await timed(
    'create',
    'creating a sandbox with its own Docker daemon, seeded with busybox and httpd',
    () => sandkit.create(spec),
  );
  const job = [
    'set -e',
    'echo "inner daemon: $(docker version --format "{{.Server.Version}}"), storage $(docker info --format "{{.Driver}}")"',
    'echo "seeded images:"; docker images --format "  {{.Repository}}:{{.Tag}} ({{.Size}})"',
    'docker network create demo >/dev/null',
    `docker run -d --name web --network demo ${images.httpd} >/dev/null`,
    `docker run --rm --network demo ${images.busybox} sh -c 'for i in $(seq 50); do wget -q -O - http://web:8080/ && exit 0; sleep 0.1; done; exit 1' | sed 's/^/web server says: /'`,
  ].join('\n');
  const result = await timed('job', 'running the job with the inner docker', () =>
    sandbox.exec(['sh', '-c', job], { reject: false }),
  );
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  await timed('destroy', 'removing the sandbox and everything in it', () => sandbox.destroy());
  const summary = Object.entries(timings)
    .map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`)
    .join(', ');
  reporter.info(`job exited with ${result.exitCode}; ${summary}`, {
    event: 'summary',
    exitCode: result.exitCode,
    timings,
  });
  return result.exitCode ?? 1;
}
