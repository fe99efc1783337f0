/**
 * How the job inside the sandbox reaches a Docker engine.
 * - `none`: no engine access at all.
 * - `shared`: the host's engine, through sandkit's guarding proxy (socket backend).
 * - `isolated`: its own inner daemon (system-container backend).
 */
export type DockerAccess = 'none' | 'shared' | 'isolated';

/**
 * What a sandbox is prepared for, beyond a plain container.
 * - `kubernetes-node`: a Kubernetes node (kubelet, kube-proxy, a container
 *   runtime) can run in it: shared mount propagation of `/`, a `/dev/kmsg`,
 *   writable cgroups of its own, the host's `/lib/modules` read-only where it
 *   has them, and the kernel settings the kubelet checks shown to the node
 *   with the values it wants (the host's own are never changed). System
 *   containers only: `docker: 'isolated'` (sandkit's inner Docker daemon runs
 *   the Pods) or `docker: 'none'` (the image's own init becomes PID 1 and
 *   brings its container runtime, as kind's node images do); see docs/clusters.md.
 */
export type SandboxProfile = 'kubernetes-node';

/** When to pull the sandbox image. */
export type PullPolicy = 'never' | 'missing' | 'always';

/** A file written into the sandbox before it starts. */
export interface SandboxFile {
  /** Absolute path inside the sandbox. Parent directories are created. */
  path: string;
  /** The file's content. */
  content: string | Uint8Array;
  /**
   * Permission bits.
   * @default 0o644
   */
  mode?: number;
}

/** Limits on what the sandbox may consume. */
export interface SandboxResources {
  /**
   * CPU limit in cores (fractions allowed, 0.01 to 1024).
   * @default unlimited
   */
  cpus?: number;
  /**
   * Memory limit in bytes (at least 6 MiB, the engine's minimum).
   * @default unlimited
   */
  memoryBytes?: number;
  /**
   * Maximum number of processes.
   * @default 4096
   */
  pids?: number;
}

/** A container port to make reachable from the host through {@link Sandbox.endpoint}. */
export interface SandboxPort {
  /** Port inside the sandbox. */
  container: number;
  /**
   * @default 'tcp'
   */
  protocol?: 'tcp' | 'udp';
}

/** How to tell that the sandbox is ready; `create()` resolves only then. */
export type Readiness =
  /** The command exits 0 when run inside the sandbox (retried until the deadline). */
  | { exec: string[] }
  /** A line of the container's output matches (`times` lines, default 1). */
  | { log: string | RegExp; times?: number }
  /** A TCP connection to the port succeeds from the host, through the engine's network (not the userland proxy). */
  | { port: number }
  /** The image's own HEALTHCHECK reports healthy. */
  | { healthcheck: true };

/** Images to seed into an isolated sandbox's inner daemon (see the seeding docs). */
export interface SeedSpec {
  /** Image references, present on the host engine, to make available inside. */
  images: string[];
  /**
   * How the images get there.
   * @default 'auto'
   */
  strategy?: 'auto' | 'load' | 'clone';
}

/**
 * Everything a sandbox is made from. Validated before anything is created:
 * any problem, an unknown key included, is an `InvalidSpecError`.
 */
export interface SandboxSpec {
  /** The sandbox container's own image, e.g. `busybox` or `docker:dind`. */
  image: string;
  /**
   * Command to run, replacing the image's `CMD`.
   * @default the image's CMD
   */
  cmd?: string[];
  /**
   * Entrypoint, replacing the image's `ENTRYPOINT`.
   * @default the image's ENTRYPOINT
   */
  entrypoint?: string[];
  /**
   * Environment variables.
   * @default {}
   */
  env?: Record<string, string>;
  /**
   * User (name or uid[:gid], as a string: `'1000'`, not `1000`) the main process runs as.
   * @default the image's USER
   */
  user?: string;
  /**
   * Working directory of the main process (absolute).
   * @default the image's WORKDIR
   */
  workdir?: string;
  /**
   * Extra labels. Keys starting with `dev.sandkit.` are reserved.
   * @default {}
   */
  labels?: Record<string, string>;
  /**
   * Resource limits.
   * @default no limits except 4096 pids
   */
  resources?: SandboxResources;
  /**
   * Ports to make reachable from the host.
   * @default []
   */
  ports?: Array<number | SandboxPort>;
  /**
   * Files written into the sandbox before its main process starts.
   * @default []
   */
  files?: SandboxFile[];
  /**
   * Engine access for the job inside.
   * @default 'none'
   */
  docker?: DockerAccess;
  /**
   * Images to seed the inner daemon with (only with `docker: 'isolated'`).
   * @default no seed
   */
  seed?: SeedSpec;
  /**
   * What the sandbox is prepared for (system containers: the sysbox runtime).
   * @default no profile: a plain system container
   */
  profile?: SandboxProfile;
  /**
   * Hard expiry in milliseconds after creation (at most 366 days); enforced by cleanup even if this process dies.
   * @default no expiry
   */
  ttlMs?: number;
  /**
   * What `create()` waits for before it resolves.
   * @default the main process is running
   */
  readiness?: Readiness;
  /**
   * When to pull `image`.
   * @default 'missing'
   */
  pull?: PullPolicy;
  /**
   * Whether the job's code is trusted. Untrusted jobs never get a runtime whose
   * isolation is weaker than a container's (such as the privileged fallback).
   * @default 'untrusted'
   */
  trust?: 'trusted' | 'untrusted';
}
