import type { PolicyContext } from './request-policy.js';

/**
 * The query parameters `POST /build` reads (Engine API v1.41). The engine
 * matches them exactly (Go's `r.FormValue`), so anything else is refused
 * rather than guessed at.
 */
const BUILD_PARAMETERS = new Set([
  'dockerfile',
  't',
  'extrahosts',
  'remote',
  'q',
  'nocache',
  'cachefrom',
  'pull',
  'rm',
  'forcerm',
  'memory',
  'memswap',
  'cpushares',
  'cpusetcpus',
  'cpusetmems',
  'cpuperiod',
  'cpuquota',
  'buildargs',
  'shmsize',
  'squash',
  'labels',
  'networkmode',
  'platform',
  'target',
  'outputs',
  'session',
  'buildid',
  'version',
  'ulimits',
  'cgroupparent',
  'isolation',
  'securityopt',
]);
const DEFAULT_BUILD_NETWORKS = new Set(['', 'default', 'bridge', 'none']);

/** Everything wrong with a build's query parameters. */
export async function checkBuild(query: URLSearchParams, context: PolicyContext): Promise<string[]> {
  const violations: string[] = [];
  for (const name of new Set(query.keys())) {
    if (!BUILD_PARAMETERS.has(name)) violations.push(`build parameter "${name}" is not accepted`);
  }
  for (const mode of query.getAll('networkmode')) {
    if (mode === 'host' || mode.startsWith('container:'))
      violations.push(`build network mode "${mode}" is not allowed`);
    else if (!DEFAULT_BUILD_NETWORKS.has(mode) && !(await context.ownedId('network', mode)))
      violations.push(`build network "${mode}" is not one of this job's networks`);
  }
  if (query.getAll('cgroupparent').some((parent) => parent !== ''))
    violations.push('choosing the cgroup parent of builds is not allowed');
  if (query.getAll('isolation').some((isolation) => isolation !== '' && isolation !== 'default'))
    violations.push('build isolation modes are not allowed');
  if (query.has('securityopt')) violations.push('build security options are not allowed');
  // BuildKit (version=2) shares cache mounts between jobs, keeps a cache no sweep removes, and
  // tags whatever its `outputs` name: only the classic builder is guarded.
  if (query.getAll('version').some((version) => version !== '' && version !== '1'))
    violations.push(
      'BuildKit builds are not allowed: only the classic builder (DOCKER_BUILDKIT=0) is guarded',
    );
  if (query.getAll('outputs').some((outputs) => outputs !== '' && outputs !== '[]'))
    violations.push('build outputs are not allowed: tag images with -t');
  if (query.getAll('session').some((session) => session !== ''))
    violations.push('build sessions (BuildKit) are not allowed');
  if (query.getAll('remote').some((remote) => remote !== ''))
    violations.push(
      'remote build contexts are not allowed: the engine would fetch them from the host network',
    );
  return violations;
}
