import type { Engine } from '@sandkit/core';
import type Dockerode from 'dockerode';

/**
 * An engine whose client records every use and performs none: for proving
 * that a call rejected its input before it touched the engine. (Tests that
 * need the engine to act use the real one.)
 */
export function recordingEngine(): { engine: Engine; calls: string[] } {
  const calls: string[] = [];
  const docker = new Proxy({} as Dockerode, {
    get(_target, property) {
      calls.push(String(property));
      return () => {
        throw new Error(`engine touched: ${String(property)}`);
      };
    },
  });
  return {
    engine: {
      docker,
      address: 'unix:///nonexistent/recording.sock',
      connection: { host: 'unix:///nonexistent/recording.sock' },
      source: 'test',
      isLocal: true,
      publishedPortHost: '127.0.0.1',
    },
    calls,
  };
}
