import type { Engine } from '@sandkit/core';
import { connectEngine, engineLabelFilters } from '@sandkit/core/runtime';
import type { SweepFilter } from '../../packages/core/src/labels/label-filter.js';

let engine: Promise<Engine> | undefined;

/** The engine the tests run against (the one global setup ensured). */
export function testEngine(): Promise<Engine> {
  engine ??= connectEngine();
  return engine;
}

/**
 * Everything sandkit-labelled on the engine that matches the filter: what a leak check expects to be
 * empty. With `sessionNetworkKept`, the session's own network (which a `Sandkit` keeps until it
 * closes) does not count.
 */
export async function leftovers(
  filter: SweepFilter,
  options: { sessionNetworkKept?: boolean } = {},
): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
  const { docker } = await testEngine();
  const filters = JSON.stringify({ label: engineLabelFilters(filter) });
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return {
    containers: containers.map((c) => `${c.Names[0]} (${c.State})`),
    networks: networks
      .map((n) => n.Name)
      .filter(
        (name) => !(options.sessionNetworkKept && filter.session && name === `sandkit-${filter.session}`),
      ),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name),
  };
}

/** The empty result of {@link leftovers}. */
export const NOTHING_LEFT = { containers: [], networks: [], volumes: [] };
