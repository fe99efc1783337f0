import { SandkitError, type SandkitErrorContext } from './sandkit-error.js';

/** One problem found in a caller's input: where, what was wrong, and what is allowed. */
export interface SpecIssue {
  /** Dotted path of the offending field, e.g. `resources.memoryBytes`, `ports[1]` or `options.timeoutMs`. */
  path: string;
  /** What is wrong with the value found. */
  problem: string;
  /** What would be accepted instead. */
  allowed: string;
}

/**
 * A call was given input it cannot act on (a malformed command, option, path
 * or spec). Thrown before the call touches the engine, so nothing was started.
 */
export class InvalidArgumentError extends SandkitError {
  static override readonly code: string = 'SANDKIT_INVALID_ARGUMENT';
  /** The call whose input was rejected, e.g. `exec` or `create`. */
  readonly operation: string;
  /** Every problem found, not only the first. */
  readonly issues: readonly SpecIssue[];

  constructor(
    operation: string,
    issues: readonly SpecIssue[],
    context: SandkitErrorContext = {},
    shortMessage = `Invalid arguments to ${operation} (${count(issues)}); nothing was started`,
  ) {
    super(
      shortMessage,
      context,
      issues.map((i) => `  - ${i.path}: ${i.problem} (allowed: ${i.allowed})`).join('\n'),
    );
    this.operation = operation;
    this.issues = issues;
  }
}

function count(issues: readonly SpecIssue[]): string {
  return issues.length === 1 ? '1 problem' : `${issues.length} problems`;
}
