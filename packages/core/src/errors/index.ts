export { CancelledError } from './cancelled-error.js';
export { ClusterFailedError, type ClusterStep } from './cluster-failed-error.js';
export { CopyFailedError } from './copy-failed-error.js';
export { EngineRequestError } from './engine-request-error.js';
export { type EngineAttempt, EngineUnreachableError } from './engine-unreachable-error.js';
export {
  ExecCancelledError,
  ExecError,
  type ExecErrorContext,
  ExecFailedError,
  ExecOutputTooLargeError,
  ExecTimedOutError,
} from './exec-errors.js';
export { FileNotFoundError } from './file-not-found-error.js';
export { HostUnsupportedError } from './host-unsupported-error.js';
export { ImagePullError } from './image-pull-error.js';
export { InvalidArgumentError, type SpecIssue } from './invalid-argument-error.js';
export { InvalidSpecError } from './invalid-spec-error.js';
export { NotAFileError } from './not-a-file-error.js';
export { PolicyDeniedError } from './policy-denied-error.js';
export { RuntimeUnavailableError } from './runtime-unavailable-error.js';
export { SandboxDestroyedError } from './sandbox-destroyed-error.js';
export { SandboxNotRunningError } from './sandbox-not-running-error.js';
export { isSandkitError, SandkitError, type SandkitErrorContext } from './sandkit-error.js';
export { SeedFailedError } from './seed-failed-error.js';
export { StartFailedError } from './start-failed-error.js';
