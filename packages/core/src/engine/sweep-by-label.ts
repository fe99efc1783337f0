import { sweepJournal } from '../cleanup/host-path-journal.js';
import { hostPathsFromLabels, removeHostPaths } from '../cleanup/host-paths.js';
import { SandkitError } from '../errors/index.js';
import { engineLabelFilters, matchesFilter, type SweepFilter } from '../labels/label-filter.js';
import type { SweepReport } from '../runtime/runtime.js';
import type { Engine } from './engine.js';

/**
 * Removes every container (killed, with its anonymous volumes, and the host
 * paths its labels name), then network, then volume, then unused image that
 * carries sandkit's labels and matches the filter. Objects already gone are ignored, so
 * concurrent sweeps are safe; a network still in use (a container another
 * sweep is removing) is left for a later sweep. Every object is attempted;
 * other failures are thrown together at the end. Last, the host paths the
 * journal notes for the selected sandboxes (paths made before their container
 * existed, by a process that then died).
 */
export async function sweepByLabel(engine: Engine, filter: SweepFilter): Promise<SweepReport> {
  const filters = JSON.stringify({ label: engineLabelFilters(filter) });
  const report: SweepReport = { containers: [], networks: [], volumes: [], images: [], paths: [] };
  const failures: unknown[] = [];
  /** Runs `remove` on every listed object the filter selects; failures are collected, not thrown. */
  const removeSelected = <T>(
    objects: readonly T[],
    labelsOf: (object: T) => Record<string, string> | undefined,
    remove: (object: T) => Promise<void>,
  ) =>
    Promise.all(
      objects
        .filter((object) => matchesFilter(labelsOf(object), filter))
        .map(async (object) => {
          try {
            await remove(object);
          } catch (error) {
            failures.push(error);
          }
        }),
    );

  await removeSelected(
    await engine.docker.listContainers({ all: true, filters }),
    (c) => c.Labels,
    async (c) => {
      await ignoreMissing(engine.docker.getContainer(c.Id).remove({ force: true, v: true }));
      report.containers.push(c.Id);
      // Host paths live on the engine's host: only a local engine's can be removed from here.
      if (engine.isLocal) {
        const paths = hostPathsFromLabels(c.Labels);
        await removeHostPaths(paths);
        report.paths.push(...paths);
      }
    },
  );
  await removeSelected(
    await engine.docker.listNetworks({ filters }),
    (n) => n.Labels,
    async (n) => {
      // A network still in use (a container another sweep is removing) is left for a later sweep.
      if (
        await unlessInUse(engine.docker.getNetwork(n.Id).remove(), (e) => /active endpoints/.test(e.message))
      )
        report.networks.push(n.Id);
    },
  );
  await removeSelected(
    (await engine.docker.listVolumes({ filters })).Volumes ?? [],
    (v) => v.Labels ?? undefined,
    async (v) => {
      // A volume still in use (by a container another sweep is removing) is left for a later sweep.
      if (await unlessInUse(engine.docker.getVolume(v.Name).remove(), (e) => e.statusCode === 409))
        report.volumes.push(v.Name);
    },
  );
  // Images a guarded job built carry its sandbox's labels: removed once nothing uses them. By id and
  // without force, so an image that also carries a tag or serves a container of someone else stays.
  await removeSelected(
    await engine.docker.listImages({ filters }),
    (image) => image.Labels ?? undefined,
    async (image) => {
      if (await unlessInUse(engine.docker.getImage(image.Id).remove(), (e) => e.statusCode === 409))
        report.images.push(image.Id);
    },
  );
  try {
    report.paths.push(...(await sweepJournal(filter)));
  } catch (error) {
    failures.push(error);
  }
  if (failures.length > 0) {
    throw new SandkitError(
      `Sweeping left ${failures.length} object(s) behind`,
      { cause: failures.length === 1 ? failures[0] : new AggregateError(failures) },
      failures.map((f) => `  - ${(f as Error).message ?? String(f)}`).join('\n'),
    );
  }
  return report;
}

/** Whether the removal happened: false when the engine refused it because the object is still in use. */
async function unlessInUse(
  removal: Promise<unknown>,
  inUse: (error: Error & { statusCode?: number }) => boolean,
): Promise<boolean> {
  try {
    await ignoreMissing(removal);
    return true;
  } catch (error) {
    if (inUse(error as Error & { statusCode?: number })) return false;
    throw error;
  }
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
