import { type Engine, InvalidSpecError, type SandboxSpec } from '@sandkit/core';
import { type ContainerBlueprint, labelledVolumeMount } from '@sandkit/core/runtime';
import type Dockerode from 'dockerode';
import { REMOUNT_CGROUPS_RW } from '../../fallback/privileged-host-config.js';
import { kubernetesNodePreparation } from './node-preparation.js';

/** Where the preparation script is written in a node that runs its image's own init. */
export const PREPARE_NODE_PATH = '/.sandkit/prepare-node.sh';

/**
 * The container of a Kubernetes node that brings its own init and container
 * runtime (`docker: 'none'`, e.g. a kind node image booting systemd and
 * containerd): no inner Docker daemon of sandkit's. A script prepares the
 * node (as the launcher does for `docker: 'isolated'`), then `exec`s the
 * image's entrypoint and command, which so become PID 1 (no docker-init in
 * between: systemd must be PID 1). `/run` and `/tmp` are tmpfs, as an init
 * expects; `/var` (where containerd and the kubelet keep their state) is a
 * labelled volume, never the container's overlay root (overlay on overlay
 * does not work), removed with the sandbox.
 */
export async function ownInitNodeBlueprint(args: {
  engine: Engine;
  spec: SandboxSpec;
  rights: Dockerode.HostConfig;
  underSysbox: boolean;
  remountCgroups: boolean;
  labels: Record<string, string>;
}): Promise<Pick<ContainerBlueprint, 'hostConfig' | 'env' | 'entrypoint' | 'cmd' | 'files' | 'init'>> {
  const { spec } = args;
  const image = await args.engine.docker.getImage(spec.image).inspect();
  const command = [
    ...(spec.entrypoint ?? image.Config.Entrypoint ?? []),
    ...(spec.cmd ?? (spec.entrypoint ? [] : (image.Config.Cmd ?? []))),
  ];
  if (command.length === 0)
    throw new InvalidSpecError(
      [
        {
          path: 'cmd',
          problem: `${spec.image} has no entrypoint or command to become the node's init`,
          allowed: "an image whose entrypoint is its init (e.g. /sbin/init), or the spec's entrypoint",
        },
      ],
      { image: spec.image },
    );
  const script = [
    '#!/bin/sh',
    '# Written by sandkit: prepares this system container as a Kubernetes node, then hands PID 1 to the image.',
    'set -e',
    ...(args.remountCgroups ? [REMOUNT_CGROUPS_RW] : []),
    kubernetesNodePreparation(args.underSysbox),
    'exec "$@"',
    '',
  ].join('\n');
  return {
    hostConfig: {
      ...args.rights,
      Tmpfs: { '/run': 'rw,nosuid,nodev,mode=755', '/tmp': 'rw,nosuid,nodev' },
      Mounts: [labelledVolumeMount('/var', args.labels)],
    },
    // How systemd (and the kubelet) tell they run in a container.
    env: { container: 'docker' },
    entrypoint: ['/bin/sh', PREPARE_NODE_PATH],
    cmd: command,
    files: [{ path: PREPARE_NODE_PATH, content: script, mode: 0o755 }],
    init: false,
  };
}
