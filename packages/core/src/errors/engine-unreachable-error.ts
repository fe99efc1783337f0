import { SandkitError, type SandkitErrorContext } from './sandkit-error.js';

/** One place sandkit looked for a Docker engine, and why it did not answer. */
export interface EngineAttempt {
  /** Where the address came from, e.g. `DOCKER_HOST`, `docker context "ci"`, `default socket`. */
  source: string;
  /** The address tried, e.g. `unix:///var/run/docker.sock`. */
  address: string;
  /** Why it failed. */
  reason: string;
}

/**
 * No Docker engine answered at any of the places tried, or the engine a
 * sandbox lives on stopped answering (its connection was refused or dropped).
 */
export class EngineUnreachableError extends SandkitError {
  static override readonly code: string = 'SANDKIT_ENGINE_UNREACHABLE';
  readonly attempts: readonly EngineAttempt[];

  constructor(attempts: readonly EngineAttempt[], hint: string, context: SandkitErrorContext = {}) {
    super(
      'No Docker engine answered',
      context,
      ['Tried:', ...attempts.map((a) => `  - ${a.source}: ${a.address} → ${a.reason}`), hint].join('\n'),
    );
    this.attempts = attempts;
  }
}
