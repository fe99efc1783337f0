/**
 * Adds the sandbox's labels to a create body (the job cannot override them).
 * @returns the new body
 */
export function withLabels(
  body: Record<string, unknown>,
  labels: Record<string, string>,
): Record<string, unknown> {
  return { ...body, Labels: { ...((body.Labels ?? {}) as Record<string, string>), ...labels } };
}

/**
 * Restricts a list/events query to the sandbox's objects by adding a
 * `label=<key>=<value>` filter to its `filters` JSON (the job's own filters stay).
 */
export function withLabelFilter(query: URLSearchParams, key: string, value: string): URLSearchParams {
  const result = new URLSearchParams(query);
  let filters: Record<string, unknown> = {};
  try {
    filters = JSON.parse(query.get('filters') ?? '{}') as Record<string, unknown>;
  } catch {
    filters = {};
  }
  const label = filters.label;
  const wanted = `${key}=${value}`;
  // Both encodings the engine accepts: ["a=b"] and {"a=b": true}.
  if (Array.isArray(label)) filters.label = [...label, wanted];
  else if (label && typeof label === 'object')
    filters.label = { ...(label as Record<string, boolean>), [wanted]: true };
  else filters.label = [wanted];
  result.set('filters', JSON.stringify(filters));
  return result;
}

/** Adds labels to a build's `labels` query parameter (JSON object). */
export function withBuildLabels(query: URLSearchParams, labels: Record<string, string>): URLSearchParams {
  const result = new URLSearchParams(query);
  let existing: Record<string, string> = {};
  try {
    existing = JSON.parse(query.get('labels') ?? '{}') as Record<string, string>;
  } catch {
    existing = {};
  }
  result.set('labels', JSON.stringify({ ...existing, ...labels }));
  return result;
}
