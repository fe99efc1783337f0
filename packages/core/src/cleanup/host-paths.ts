import { rm } from 'node:fs/promises';
import { isAbsolute, normalize } from 'node:path';
import { LABEL } from '../labels/sandkit-labels.js';

/** The `dev.sandkit.host-paths` label for a sandbox's host paths. */
export function hostPathsLabel(paths: readonly string[]): Record<string, string> {
  return paths.length > 0 ? { [LABEL.hostPaths]: JSON.stringify(paths) } : {};
}

/** The host paths an object's labels name; only absolute paths with a `sandkit` component are accepted. */
export function hostPathsFromLabels(labels: Record<string, string> | undefined): string[] {
  const raw = labels?.[LABEL.hostPaths];
  if (!raw) return [];
  try {
    const paths = JSON.parse(raw) as unknown;
    if (!Array.isArray(paths)) return [];
    return paths
      .filter((p): p is string => typeof p === 'string' && isAbsolute(p))
      .map((p) => normalize(p))
      .filter((p) => p.split('/').some((part) => part.startsWith('sandkit')));
  } catch {
    return [];
  }
}

/** Removes host paths recursively; missing ones are fine. */
export async function removeHostPaths(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((path) => rm(path, { recursive: true, force: true })));
}
