import { SandkitError } from './sandkit-error.js';

/** Seeding the sandbox's inner daemon with images failed. */
export class SeedFailedError extends SandkitError {
  static override readonly code: string = 'SANDKIT_SEED_FAILED';
}
