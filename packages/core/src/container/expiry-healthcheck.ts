import type Dockerode from 'dockerode';

/**
 * A HEALTHCHECK that makes the engine itself enforce a sandbox's expiry, with
 * no sandkit process alive: once the deadline has passed it sends SIGTERM to
 * the sandbox's PID 1, which stops the container. Needs `sh`, `date` and
 * `kill` in the image; without them the check only reports unhealthy and the
 * watchdog or `gc` enforces the expiry instead.
 */
export function expiryHealthcheck(expiresAt: number, ttlMs: number): Dockerode.HealthConfig {
  const deadline = Math.ceil(expiresAt / 1000);
  const intervalMs = Math.min(30_000, Math.max(1_000, Math.floor(ttlMs / 10)));
  return {
    Test: ['CMD-SHELL', `[ "$(date +%s)" -lt ${deadline} ] || kill -TERM 1`],
    Interval: intervalMs * 1e6,
    Timeout: 5e9,
    Retries: 3,
  };
}
