import { SandkitError, type SandkitErrorContext } from './sandkit-error.js';

/**
 * The host (its kernel, usually) lacks a feature what was asked for needs,
 * e.g. IPVS for swarm's virtual-IP services. Thrown before the request reaches
 * the engine; the message says what works instead.
 */
export class HostUnsupportedError extends SandkitError {
  static override readonly code: string = 'SANDKIT_HOST_UNSUPPORTED';
  /** The missing feature, e.g. `ipvs` or `vxlan`. */
  readonly feature: string;

  constructor(feature: string, shortMessage: string, context: SandkitErrorContext = {}, details?: string) {
    super(shortMessage, context, details);
    this.feature = feature;
  }
}
