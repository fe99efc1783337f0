/** How the sandbox's inner Docker daemon is started and networked. */
export interface InnerDaemonOptions {
  /**
   * Who starts the inner daemon: sandkit's `launcher` (a small shell script it
   * puts into the container; needs `/bin/sh` and `dockerd` in the image), or the
   * `image`'s own init (e.g. systemd-based images), in which case sandkit only
   * waits for the daemon at `/var/run/docker.sock` and reaches it through an exec relay.
   * @default 'launcher'
   */
  startedBy?: 'launcher' | 'image';
  /**
   * Storage driver of the inner daemon. Pinned so it never silently falls back to `vfs`.
   * @default 'overlay2'
   */
  storageDriver?: string;
  /**
   * Address of the inner default bridge (`--bip`), chosen not to clash with the outer engine's pools.
   * @default '10.199.0.1/24'
   */
  bridgeIp?: string;
  /**
   * Pool the inner daemon carves user networks from (`--default-address-pool`).
   * @default { base: '10.200.0.0/16', size: 24 }
   */
  addressPool?: { base: string; size: number };
  /**
   * Extra `dockerd` arguments.
   * @default []
   */
  extraArgs?: string[];
  /**
   * How long the inner daemon gets to answer `/_ping` (within the create timeout).
   * @default 60_000
   */
  readyTimeoutMs?: number;
}

/** Path inside the sandbox where the launcher script is written. */
export const LAUNCHER_PATH = '/.sandkit/launch-docker.sh';
/** Directory inside the sandbox (bind-mounted from the host on local engines) where the inner daemon also listens. */
export const SOCKET_DIR_IN_SANDBOX = '/run/sandkit';
/** Where a launcher started in the background (the spec has its own cmd) logs the inner daemon. */
export const INNER_DAEMON_LOG = '/var/log/sandkit-dockerd.log';
