import type { Sandbox } from '@sandkit/core';
import { JobNames } from '../../packages/runtime-socket/src/proxy/job-names.js';

/**
 * What a `docker: 'shared'` job's names are on the engine: its container,
 * network and volume `web` and its tag `app:1` as the host's engine knows
 * them (the proxy maps them; see `JobNames`).
 */
export function engineNames(job: Sandbox): {
  object: (name: string) => string;
  tag: (tag: string) => string;
} {
  const names = new JobNames(job.id);
  return { object: (name) => names.engineName(name), tag: (tag) => names.engineTag(tag) };
}
