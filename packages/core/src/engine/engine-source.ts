import { type ConnectEngineOptions, connectEngine } from './connect-engine.js';
import type { Engine } from './engine.js';

/** An engine to use, or how to connect to one. */
export type EngineSource = Engine | ConnectEngineOptions;

/**
 * Returns a function that yields the engine, connecting on first call (and
 * again after a failed attempt) so constructing a runtime never blocks.
 */
export function engineFromSource(source: EngineSource | undefined): () => Promise<Engine> {
  if (source && 'docker' in source && 'address' in source) {
    const engine = source;
    return () => Promise.resolve(engine);
  }
  let connecting: Promise<Engine> | undefined;
  return () => {
    connecting ??= connectEngine(source ?? {}).catch((error: unknown) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  };
}
