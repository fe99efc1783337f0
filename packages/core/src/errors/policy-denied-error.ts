import { SandkitError } from './sandkit-error.js';

/** A request was refused by sandkit's security policy (e.g. the guarded socket denied `--privileged`). */
export class PolicyDeniedError extends SandkitError {
  static override readonly code: string = 'SANDKIT_POLICY_DENIED';
}
