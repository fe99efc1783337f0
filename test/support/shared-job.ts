import { createSession, type Sandbox, type SandboxSpec } from '@sandkit/core';
import type { OfflineImages } from '@sandkit/host-setup';
import { type SocketRuntimeOptions, socket } from '@sandkit/runtime-socket';

/**
 * A `docker: 'shared'` job container with the docker CLI (the dind test image,
 * whose daemon is not started): what CI jobs that "use the host's docker" look like.
 */
export async function sharedJob(
  images: OfflineImages,
  extra: Partial<SandboxSpec> = {},
  allowedBindPaths: string[] = [],
  runtimeOptions: Omit<SocketRuntimeOptions, 'session' | 'allowedBindPaths'> = {},
) {
  const session = createSession();
  const runtime = socket({ ...runtimeOptions, session, allowedBindPaths });
  const job: Sandbox = await runtime.create({
    image: images.dind,
    pull: 'never',
    docker: 'shared',
    cmd: ['sleep', 'infinity'],
    ...extra,
  });
  /** Runs a `docker …` command inside the job; never throws on a non-zero exit. */
  const docker = (args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}) =>
    job.exec(['docker', ...args], {
      reject: false,
      timeoutMs: options.timeoutMs ?? 60_000,
      ...(options.env ? { env: options.env } : {}),
    });
  return { session, runtime, job, docker };
}
