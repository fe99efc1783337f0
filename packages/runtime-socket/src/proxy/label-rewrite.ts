import type { CanonicalBody } from './canonical-body/canonicalise.js';

/** sandkit's own label keys, in any case: a job's label with such a key is dropped. */
const SANDKIT_LABEL = /^dev\.sandkit\./i;

/**
 * Adds the sandbox's labels to a canonical create body. The job's own labels
 * stay, except any `dev.sandkit.*` key in any case: the object can never claim
 * to belong elsewhere.
 * @returns the new body
 */
export function withLabels(body: CanonicalBody, labels: Record<string, string>): CanonicalBody {
  const own = Object.entries((body.Labels ?? {}) as Record<string, string>).filter(
    ([key]) => !SANDKIT_LABEL.test(key),
  );
  return { ...body, Labels: Object.fromEntries([...own, ...Object.entries(labels)]) };
}

/**
 * Gives the volumes a container's `Mounts` create (`--mount type=volume`) the
 * sandbox's labels, over any `dev.sandkit.*` label the job put there: such a
 * volume is the job's, and goes with its sandbox.
 */
export function withMountVolumeLabels(body: CanonicalBody, labels: Record<string, string>): CanonicalBody {
  const host = body.HostConfig as CanonicalBody | undefined;
  const mounts = host?.Mounts as CanonicalBody[] | undefined;
  if (!host || !Array.isArray(mounts)) return body;
  const labelled = mounts.map((mount) => {
    if (mount.Type !== 'volume') return mount;
    const options = (mount.VolumeOptions ?? {}) as CanonicalBody;
    return { ...mount, VolumeOptions: withLabels(options, labels) };
  });
  return { ...body, HostConfig: { ...host, Mounts: labelled } };
}

/** A list/events query the proxy cannot scope: its `filters` is not a filter object the engine reads. */
export class UnreadableFilters extends Error {}

/**
 * Restricts a list/events query to the sandbox's objects by adding a
 * `label=<key>=<value>` filter to its `filters` JSON. The job's own filters
 * stay, in the encoding it sent them: the engine reads either
 * `{"name":["a"]}` or `{"name":{"a":true}}`, but not both in one query.
 * @throws UnreadableFilters when `filters` is not a JSON object of arrays or of boolean maps
 */
export function withLabelFilter(query: URLSearchParams, key: string, value: string): URLSearchParams {
  const result = new URLSearchParams(query);
  const wanted = `${key}=${value}`;
  const raw = query.getAll('filters');
  if (raw.length > 1) throw new UnreadableFilters('send "filters" once');
  let filters: Record<string, unknown> = {};
  try {
    filters = raw[0] ? (JSON.parse(raw[0]) as Record<string, unknown>) : {};
  } catch {
    throw new UnreadableFilters('"filters" is not JSON');
  }
  if (filters === null || typeof filters !== 'object' || Array.isArray(filters))
    throw new UnreadableFilters('"filters" must be a JSON object');
  const values = Object.values(filters);
  const mapForm = values.some((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
  for (const v of values) {
    const ok = mapForm
      ? v !== null &&
        typeof v === 'object' &&
        !Array.isArray(v) &&
        Object.values(v).every((b) => typeof b === 'boolean')
      : Array.isArray(v) && v.every((s) => typeof s === 'string');
    if (!ok) throw new UnreadableFilters('"filters" mixes encodings or has values that are not filter terms');
  }
  const label = filters.label;
  filters.label = mapForm
    ? { ...(label as Record<string, boolean> | undefined), [wanted]: true }
    : [...((label as string[] | undefined) ?? []), wanted];
  result.set('filters', JSON.stringify(filters));
  return result;
}

/** Adds labels to a build's `labels` query parameter (JSON object); sandkit's keys always win. */
export function withBuildLabels(query: URLSearchParams, labels: Record<string, string>): URLSearchParams {
  const result = new URLSearchParams(query);
  let existing: Record<string, string> = {};
  try {
    existing = JSON.parse(query.get('labels') ?? '{}') as Record<string, string>;
  } catch {
    existing = {};
  }
  const own = Object.entries(existing ?? {}).filter(([key]) => !SANDKIT_LABEL.test(key));
  result.set('labels', JSON.stringify(Object.fromEntries([...own, ...Object.entries(labels)])));
  return result;
}
