import type { SandboxSpec, SpecIssue } from '@sandkit/core';

/**
 * What the system-container runtime cannot run, found before anything is
 * created. (The spec has no way to ask for privileged mode or host
 * namespaces, which Sysbox also refuses.)
 */
export function validateSysboxSpec(spec: SandboxSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const docker = spec.docker ?? 'none';
  if (docker !== 'isolated') {
    issues.push({
      path: 'docker',
      problem: `the sysbox runtime gives every sandbox its own Docker daemon, but docker is "${docker}"`,
      allowed: '"isolated" here; the socket runtime for "none" or "shared"',
    });
  }
  for (const name of typeof spec.env === 'object' && spec.env !== null ? Object.keys(spec.env) : []) {
    if (name.toUpperCase().startsWith('SYSBOX_')) {
      issues.push({
        path: `env.${name}`,
        problem: 'Sysbox reserves SYSBOX_* variables and refuses containers that set unknown ones',
        allowed: 'a name not starting with SYSBOX_',
      });
    }
  }
  return issues;
}
