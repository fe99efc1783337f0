import { ImagePullError } from '../errors/index.js';
import type { PullPolicy } from '../spec/sandbox-spec.js';
import { raceSignal } from '../util/abort.js';
import type { Engine } from './engine.js';

/** One progress event of a pull, as the engine reports it. */
export interface PullProgress {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
}

/** Options of {@link ensureImage}. */
export interface EnsureImageOptions {
  /**
   * When to pull.
   * @default 'missing'
   */
  policy?: PullPolicy;
  /** Called for each progress event of a pull. */
  onProgress?: (event: PullProgress) => void;
  signal?: AbortSignal;
  /**
   * The runtime asking, named in the errors.
   * @default none
   */
  runtime?: string;
}

const inFlight = new WeakMap<Engine, Map<string, Promise<void>>>();

/**
 * Makes sure `ref` is present on the engine according to the policy. Concurrent
 * callers pulling the same ref on the same engine share one pull. Errors the
 * engine reports inside the progress stream (HTTP 200 followed by
 * `{"error": …}`) are detected and thrown as {@link ImagePullError}.
 */
export async function ensureImage(
  engine: Engine,
  ref: string,
  options: EnsureImageOptions = {},
): Promise<void> {
  const policy = options.policy ?? 'missing';
  if (policy === 'never') {
    if (await imageExists(engine, ref)) return;
    throw new ImagePullError(
      `Image ${ref} is not on the engine and pull policy is "never"`,
      { image: ref, runtime: options.runtime },
      'Build or load the image first, or use pull: "missing".',
    );
  }
  const pulls = inFlight.get(engine) ?? new Map<string, Promise<void>>();
  inFlight.set(engine, pulls);
  // Shared from the look-up on: callers that start together share one pull even when it fails
  // before the last of them would have finished looking the image up.
  const key = `${policy}\0${ref}`;
  let ensured = pulls.get(key);
  if (!ensured) {
    ensured = (async () => {
      if (policy !== 'always' && (await imageExists(engine, ref))) return;
      await pullImage(engine, ref, options.runtime, options.onProgress);
    })().finally(() => pulls.delete(key));
    pulls.set(key, ensured);
  }
  await raceSignal(ensured, options.signal);
}

/** Whether the engine has an image for `ref`. */
export async function imageExists(engine: Engine, ref: string): Promise<boolean> {
  try {
    await engine.docker.getImage(ref).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

async function pullImage(
  engine: Engine,
  ref: string,
  runtime: string | undefined,
  onProgress?: (event: PullProgress) => void,
): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await engine.docker.pull(ref);
  } catch (error) {
    throw pullError(ref, runtime, error);
  }
  await new Promise<void>((resolve, reject) => {
    engine.docker.modem.followProgress(
      stream,
      (error: Error | null) => (error ? reject(pullError(ref, runtime, error)) : resolve()),
      (event: PullProgress & { error?: string; errorDetail?: { message?: string } }) => {
        // followProgress already rejects on `error`; report progress for everything else.
        if (!event.error) onProgress?.(event);
      },
    );
  });
  if (!(await imageExists(engine, ref))) {
    throw pullError(ref, runtime, new Error('the pull finished but the image is not on the engine'));
  }
}

function pullError(ref: string, runtime: string | undefined, cause: unknown): ImagePullError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new ImagePullError(
    `Could not pull image ${ref}`,
    { image: ref, runtime, cause },
    `${message.trim()}\nIf no registry is reachable, build or load the image on the engine first (pull: "never" makes this explicit).`,
  );
}
