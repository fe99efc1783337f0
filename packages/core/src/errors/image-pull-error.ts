import { SandkitError } from './sandkit-error.js';

/** The image is missing and could not be pulled (or pulling was not allowed). */
export class ImagePullError extends SandkitError {
  static override readonly code: string = 'SANDKIT_IMAGE_PULL';
}
