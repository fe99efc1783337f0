import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SandboxCluster } from '@sandkit/core';
import { storePaths } from '../../packages/runtime-sysbox/src/seed/seed-store.js';
import { leftovers } from './engine.js';

/**
 * Everything a cluster could leave: engine objects carrying its label, its
 * network by name, and on the host its nodes' state directories, seed clones
 * and mounts. What a leak check expects to be {@link NOTHING_OF_THE_CLUSTER}.
 */
export async function clusterLeftovers(
  cluster: Pick<SandboxCluster, 'id' | 'nodes' | 'network'>,
  host: { stateDir: string; seedStore: string },
) {
  const ids = cluster.nodes.map((n) => n.sandbox.id);
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return {
    ...(await leftovers({ cluster: cluster.id })),
    hostDirs: ids.filter((id) => existsSync(join(host.stateDir, id))),
    clones: ids.filter((id) => existsSync(join(storePaths(host.seedStore).clones, id))),
    mounts: mountinfo
      .split('\n')
      .filter((line) => ids.some((id) => line.includes(id)) || line.includes(cluster.id)),
  };
}

export const NOTHING_OF_THE_CLUSTER = {
  containers: [],
  networks: [],
  volumes: [],
  hostDirs: [],
  clones: [],
  mounts: [],
};
