import { InvalidArgumentError, type SpecIssue } from './invalid-argument-error.js';
import type { SandkitErrorContext } from './sandkit-error.js';

/** The sandbox spec was rejected before anything was created on the engine. */
export class InvalidSpecError extends InvalidArgumentError {
  static override readonly code: string = 'SANDKIT_INVALID_SPEC';

  constructor(issues: readonly SpecIssue[], context: SandkitErrorContext = {}) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super('create', issues, context, `Invalid sandbox spec (${count}); nothing was created`);
  }
}
