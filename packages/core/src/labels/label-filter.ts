import { isOwnerDead } from '../cleanup/owner-liveness.js';
import { LABEL } from './sandkit-labels.js';

/** Which sandkit objects a sweep or listing selects. All given fields must match. */
export interface SweepFilter {
  /** Only objects of this session. */
  session?: string;
  /** Only objects of this sandbox. */
  sandbox?: string;
  /** Only objects created by this runtime. */
  runtime?: string;
  /** Only objects of this cluster (its nodes and its network). */
  cluster?: string;
  /** Only objects whose expiry is at or before this time (ms since epoch). Objects without expiry never match. */
  expiredAt?: number;
  /** Only objects whose owning process, on this host, is gone (see `isOwnerDead`). */
  orphaned?: boolean;
}

/** Engine-side label filters (`label=k=v`) for a sweep filter; expiry is checked client-side. */
export function engineLabelFilters(filter: SweepFilter): string[] {
  const labels = [`${LABEL.managed}=true`];
  if (filter.session) labels.push(`${LABEL.session}=${filter.session}`);
  if (filter.sandbox) labels.push(`${LABEL.sandbox}=${filter.sandbox}`);
  if (filter.runtime) labels.push(`${LABEL.runtime}=${filter.runtime}`);
  if (filter.cluster) labels.push(`${LABEL.cluster}=${filter.cluster}`);
  return labels;
}

/** Whether an object with these labels is selected by the filter (the full check, expiry included). */
export function matchesFilter(labels: Record<string, string> | undefined, filter: SweepFilter): boolean {
  if (labels?.[LABEL.managed] !== 'true') return false;
  if (filter.session && labels[LABEL.session] !== filter.session) return false;
  if (filter.sandbox && labels[LABEL.sandbox] !== filter.sandbox) return false;
  if (filter.runtime && labels[LABEL.runtime] !== filter.runtime) return false;
  if (filter.cluster && labels[LABEL.cluster] !== filter.cluster) return false;
  if (filter.expiredAt !== undefined) {
    const expiresAt = Number(labels[LABEL.expiresAt]);
    if (!Number.isFinite(expiresAt) || expiresAt > filter.expiredAt) return false;
  }
  if (filter.orphaned && !isOwnerDead(labels[LABEL.owner])) return false;
  return true;
}
