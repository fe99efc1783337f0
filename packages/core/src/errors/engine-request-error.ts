import { SandkitError, type SandkitErrorContext } from './sandkit-error.js';

/** The engine answered a call with an error sandkit has no more specific class for. */
export class EngineRequestError extends SandkitError {
  static override readonly code: string = 'SANDKIT_ENGINE_REQUEST';
  /** The engine's HTTP status, when it answered with one. */
  readonly statusCode: number | undefined;
  /** The engine's own message. */
  readonly engineMessage: string;

  constructor(
    action: string,
    engineMessage: string,
    statusCode: number | undefined,
    context: SandkitErrorContext,
  ) {
    super(
      `Could not ${action}`,
      context,
      statusCode ? `engine said (${statusCode}): ${engineMessage}` : engineMessage,
    );
    this.statusCode = statusCode;
    this.engineMessage = engineMessage;
  }
}
