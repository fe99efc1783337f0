import { SandkitError, type SandkitErrorContext } from './sandkit-error.js';

/** One problem found in a spec: where, what was wrong, and what is allowed. */
export interface SpecIssue {
  /** Dotted path of the offending field, e.g. `resources.memoryBytes` or `ports[1]`. */
  path: string;
  /** What is wrong with the value found. */
  problem: string;
  /** What would be accepted instead. */
  allowed?: string;
}

/** The spec was rejected before anything was created on the engine. */
export class InvalidSpecError extends SandkitError {
  static override readonly code: string = 'SANDKIT_INVALID_SPEC';
  /** Every problem found, not only the first. */
  readonly issues: readonly SpecIssue[];

  constructor(issues: readonly SpecIssue[], context: SandkitErrorContext = {}) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(
      `Invalid sandbox spec (${count}); nothing was created`,
      context,
      issues
        .map((i) => `  - ${i.path}: ${i.problem}${i.allowed ? ` (allowed: ${i.allowed})` : ''}`)
        .join('\n'),
    );
    this.issues = issues;
  }
}
