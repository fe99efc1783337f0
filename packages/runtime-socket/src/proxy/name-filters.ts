import { familiarTag } from './image-names.js';
import type { JobNames } from './job-names.js';

/** How a filter's terms name objects: exactly, as a pattern the engine matches anywhere in a name, or as an image. */
type TermKind = 'name' | 'pattern' | 'image' | 'reference';

/** The filters of lists and events whose terms are names the job gave (the others are ids, labels, states…). */
const NAMED_FILTERS: Readonly<Record<string, Readonly<Record<string, TermKind>>>> = {
  'container.list': {
    name: 'pattern',
    network: 'name',
    volume: 'name',
    before: 'name',
    since: 'name',
    ancestor: 'image',
  },
  'network.list': { name: 'pattern' },
  'volume.list': { name: 'pattern' },
  events: { container: 'name', network: 'name', volume: 'name', image: 'image' },
  'image.list': { reference: 'reference' },
};

/**
 * A list or events query whose name terms also match the job's engine
 * names: each term the job gave (`web`, `^web$`, `app:latest`) gets its
 * engine form alongside (`<namespace>_web`, `^/?<namespace>_web$`,
 * `<namespace>/app:latest`), in the encoding the job sent. The terms as given
 * stay: they still match ids, and the list is scoped to the job's objects by
 * its label, whatever a term matches.
 * @param query a query whose `filters` the proxy already read (one JSON object, of arrays or of boolean maps)
 */
export function withJobNameFilters(route: string, query: URLSearchParams, names: JobNames): URLSearchParams {
  const kinds = NAMED_FILTERS[route];
  const raw = query.get('filters');
  if (!kinds || !raw) return query;
  const filters = JSON.parse(raw) as Record<string, string[] | Record<string, boolean>>;
  let changed = false;
  for (const [key, kind] of Object.entries(kinds)) {
    const terms = filters[key];
    if (terms === undefined) continue;
    const given = Array.isArray(terms) ? terms : Object.keys(terms);
    const added = given.map((term) => engineTerm(kind, term, names)).filter((term) => !given.includes(term));
    if (added.length === 0) continue;
    changed = true;
    filters[key] = Array.isArray(terms)
      ? [...terms, ...added]
      : { ...terms, ...Object.fromEntries(added.map((term) => [term, true])) };
  }
  if (!changed) return query;
  const result = new URLSearchParams(query);
  result.set('filters', JSON.stringify(filters));
  return result;
}

/** The engine form of one filter term. */
function engineTerm(kind: TermKind, term: string, names: JobNames): string {
  switch (kind) {
    case 'name':
      return names.engineName(term);
    case 'image': {
      const tag = familiarTag(term);
      return tag ? names.engineTag(tag) : term;
    }
    case 'reference':
      return names.engineTag(term);
    case 'pattern': {
      const anchored = /^\^\/?/.exec(term);
      return anchored ? `^/?${names.engineName(term.slice(anchored[0].length))}` : term;
    }
  }
}
