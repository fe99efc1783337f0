import { hostPathsFromLabels, removeHostPaths } from '../cleanup/host-paths.js';
import { engineLabelFilters, matchesFilter, type SweepFilter } from '../labels/label-filter.js';
import { LABEL } from '../labels/sandkit-labels.js';
import type { SweepReport } from '../runtime/runtime.js';
import type { Engine } from './engine.js';

/**
 * Removes every container (killed, with its anonymous volumes, and the host
 * paths its labels name), then network, then volume that carries sandkit's
 * labels and matches the filter. Objects
 * already gone are ignored, so concurrent sweeps are safe.
 */
export async function sweepByLabel(engine: Engine, filter: SweepFilter): Promise<SweepReport> {
  const filters = JSON.stringify({ label: engineLabelFilters(filter) });
  const report: SweepReport = { sandboxes: [], containers: [], networks: [], volumes: [], paths: [] };
  const sandboxes = new Set<string>();

  const containers = await engine.docker.listContainers({ all: true, filters });
  await Promise.all(
    containers
      .filter((c) => matchesFilter(c.Labels, filter))
      .map(async (c) => {
        await ignoreMissing(engine.docker.getContainer(c.Id).remove({ force: true, v: true }));
        report.containers.push(c.Id);
        // Host paths live on the engine's host: only a local engine's can be removed from here.
        if (engine.isLocal) {
          const paths = hostPathsFromLabels(c.Labels);
          await removeHostPaths(paths);
          report.paths.push(...paths);
        }
        const sandbox = c.Labels[LABEL.sandbox];
        if (sandbox) sandboxes.add(sandbox);
      }),
  );
  const networks = await engine.docker.listNetworks({ filters });
  await Promise.all(
    networks
      .filter((n) => matchesFilter(n.Labels, filter))
      .map(async (n) => {
        await ignoreMissing(engine.docker.getNetwork(n.Id).remove());
        report.networks.push(n.Id);
      }),
  );
  const { Volumes: volumes } = await engine.docker.listVolumes({ filters });
  await Promise.all(
    (volumes ?? [])
      .filter((v) => matchesFilter(v.Labels ?? undefined, filter))
      .map(async (v) => {
        await ignoreMissing(engine.docker.getVolume(v.Name).remove());
        report.volumes.push(v.Name);
        const sandbox = v.Labels?.[LABEL.sandbox];
        if (sandbox) sandboxes.add(sandbox);
      }),
  );
  report.sandboxes.push(...sandboxes);
  return report;
}

/** Awaits an engine call, treating "no such object" (404) and "removal already in progress" (409) as done. */
export async function ignoreMissing<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 404 || (status === 409 && /already in progress/.test(String((error as Error).message)))) {
      return undefined;
    }
    throw error;
  }
}
