export { CancelledError } from './cancelled-error.js';
export { type EngineAttempt, EngineUnreachableError } from './engine-unreachable-error.js';
export {
  ExecCancelledError,
  type ExecErrorContext,
  ExecFailedError,
  ExecOutputTooLargeError,
  ExecTimedOutError,
} from './exec-errors.js';
export { ImagePullError } from './image-pull-error.js';
export { InvalidSpecError, type SpecIssue } from './invalid-spec-error.js';
export { PolicyDeniedError } from './policy-denied-error.js';
export { RuntimeUnavailableError } from './runtime-unavailable-error.js';
export { SandboxDestroyedError } from './sandbox-destroyed-error.js';
export { isSandkitError, SandkitError, type SandkitErrorContext } from './sandkit-error.js';
export { SeedFailedError } from './seed-failed-error.js';
export { StartFailedError } from './start-failed-error.js';
