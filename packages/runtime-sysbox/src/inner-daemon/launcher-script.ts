import { REMOUNT_CGROUPS_RW } from '../fallback/privileged-host-config.js';
import { INNER_DAEMON_LOG, type InnerDaemonOptions, SOCKET_DIR_IN_SANDBOX } from './inner-daemon-options.js';

const SAFE_ARG = /^[\w@%+=:,./-]+$/;

/** The `dockerd` arguments of the inner daemon. */
export function innerDaemonArgs(options: InnerDaemonOptions): string[] {
  const pool = options.addressPool ?? { base: '10.200.0.0/16', size: 24 };
  return [
    '--host=unix:///var/run/docker.sock',
    `--host=unix://${SOCKET_DIR_IN_SANDBOX}/docker.sock`,
    '--data-root=/var/lib/docker',
    `--storage-driver=${options.storageDriver ?? 'overlay2'}`,
    `--bip=${options.bridgeIp ?? '10.199.0.1/24'}`,
    `--default-address-pool=base=${pool.base},size=${pool.size}`,
    ...(options.extraArgs ?? []),
  ];
}

/** What the launcher does before it starts the inner daemon. */
export interface LauncherSteps {
  /** Make cgroup v1 writable (the fallback without `--privileged`). */
  remountCgroups: boolean;
  /** Shell lines that prepare the container for its profile (e.g. a Kubernetes node). */
  preparation?: string;
}

/**
 * The launcher: removes stale pid files a restarted container would trip on,
 * makes cgroup v1 writable when the fallback needs it, prepares the container
 * for its profile, then runs `dockerd` —
 * in the foreground as the main process, or in the background (logging to
 * {@link INNER_DAEMON_LOG}) when the sandbox has a command of its own, which
 * it then execs.
 */
export function launcherScript(options: InnerDaemonOptions, steps: LauncherSteps): string {
  const args = innerDaemonArgs(options);
  const unsafe = args.find((a) => !SAFE_ARG.test(a));
  if (unsafe)
    throw new Error(
      `inner dockerd argument ${JSON.stringify(unsafe)} contains characters the launcher does not quote`,
    );
  return [
    '#!/bin/sh',
    "# Written by sandkit: starts this sandbox's own Docker daemon.",
    'set -e',
    ...(steps.remountCgroups ? [REMOUNT_CGROUPS_RW] : []),
    ...(steps.preparation ? [steps.preparation] : []),
    'rm -f /var/run/docker.pid /run/docker.pid /var/run/docker/containerd/containerd.pid /run/containerd/containerd.pid',
    `mkdir -p ${SOCKET_DIR_IN_SANDBOX} /var/lib/docker /var/log`,
    `DOCKERD_ARGS='${args.join(' ')}'`,
    'if [ "$#" -eq 0 ]; then exec dockerd $DOCKERD_ARGS; fi',
    `dockerd $DOCKERD_ARGS >>${INNER_DAEMON_LOG} 2>&1 &`,
    'exec "$@"',
    '',
  ].join('\n');
}
