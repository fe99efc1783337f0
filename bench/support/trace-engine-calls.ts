import type { Engine } from '@sandkit/core';

/** One engine API call: when it started (ms since tracing began) and how long until its answer arrived. */
export interface EngineCall {
  method: string;
  path: string;
  startMs: number;
  durationMs: number;
}

interface DialOptions {
  method?: string;
  path?: string;
}
type Dial = (options: DialOptions, callback: (error: unknown, result: unknown) => void) => unknown;

/**
 * Records every request the engine's client sends (through docker-modem's
 * `dial`), until `stop()`; streamed answers count until their headers arrive.
 */
export function traceEngineCalls(engine: Engine): { stop(): EngineCall[] } {
  const modem = engine.docker.modem as unknown as { dial: Dial };
  const original = modem.dial;
  const started = performance.now();
  const calls: EngineCall[] = [];
  modem.dial = function traced(this: unknown, options, callback) {
    const call: EngineCall = {
      method: options.method ?? 'GET',
      path: (options.path ?? '').replace(/\?.*$/, '').replace(/[0-9a-f]{64}/g, '<id>'),
      startMs: performance.now() - started,
      durationMs: Number.NaN,
    };
    calls.push(call);
    return original.call(this, options, (error, result) => {
      call.durationMs = performance.now() - started - call.startMs;
      callback(error, result);
    });
  };
  return {
    stop: () => {
      modem.dial = original;
      return calls;
    },
  };
}
