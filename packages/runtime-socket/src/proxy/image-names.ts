/**
 * The familiar form of an image tag reference, as the engine lists it in
 * `RepoTags` (`busybox:latest`, `user/app:1`, `localhost:5000/app:1`): the
 * default registry and `library/` dropped, `:latest` added when no tag is
 * given. `undefined` for references that name no tag (digests, empty).
 */
export function familiarTag(reference: string): string | undefined {
  if (reference === '' || reference.includes('@')) return undefined;
  let name = reference;
  let tag = 'latest';
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  if (name === '' || tag === '') return undefined;
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  // The engine's rule: a first component with a dot or a colon, or `localhost`, is a registry.
  const isRegistry = first !== '' && (/[.:]/.test(first) || first === 'localhost');
  const registry = isRegistry ? (first === 'index.docker.io' ? 'docker.io' : first) : '';
  let path = isRegistry ? name.slice(slash + 1) : name;
  if (registry === '' || registry === 'docker.io') {
    if (/^library\/[^/]+$/.test(path)) path = path.slice('library/'.length);
    return `${path}:${tag}`;
  }
  return `${registry}/${path}:${tag}`;
}

/**
 * The tag a repository and tag pair of query parameters (tag, commit,
 * import, pull) points, familiar: as the engine reads them, a `tag` replaces
 * any tag `repo` carries. `undefined` when they name none.
 */
export function queryTag(repo: string | null, tag: string | null): string | undefined {
  if (!repo) return undefined;
  if (!tag) return familiarTag(repo);
  const colon = repo.lastIndexOf(':');
  const name = colon > repo.lastIndexOf('/') ? repo.slice(0, colon) : repo;
  return familiarTag(`${name}:${tag}`);
}
