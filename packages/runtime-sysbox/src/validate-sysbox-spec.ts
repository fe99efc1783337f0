import type { SandboxSpec, SpecIssue } from '@sandkit/core';
import type { InnerDaemonOptions } from './inner-daemon/inner-daemon-options.js';

/**
 * What the system-container runtime cannot run, found before anything is
 * created. (The spec has no way to ask for privileged mode or host
 * namespaces, which Sysbox also refuses.)
 */
export function validateSysboxSpec(spec: SandboxSpec, innerDaemon: InnerDaemonOptions = {}): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const docker = spec.docker ?? 'none';
  // A Kubernetes node may bring its own init and container runtime (a kind node image) instead.
  const ownRuntime = docker === 'none' && spec.profile === 'kubernetes-node';
  if (docker !== 'isolated' && !ownRuntime) {
    issues.push({
      path: 'docker',
      problem: `the sysbox runtime gives every sandbox its own Docker daemon, but docker is "${docker}"`,
      allowed:
        '"isolated" here (or "none" with profile: "kubernetes-node", for node images with their own init); the socket runtime for "none" or "shared"',
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
  if (spec.profile !== undefined && docker === 'isolated' && innerDaemon.startedBy === 'image') {
    issues.push({
      path: 'profile',
      problem: `the ${spec.profile} profile prepares the container in sandkit's launcher, but this runtime leaves the start to the image (innerDaemon.startedBy: "image")`,
      allowed: 'no profile here, or a runtime with innerDaemon.startedBy: "launcher" (the default)',
    });
  }
  return issues;
}
