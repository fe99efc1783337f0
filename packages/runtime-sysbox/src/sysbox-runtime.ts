import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelledError,
  type CreateOptions,
  type Engine,
  type EngineSource,
  type ProbeResult,
  type Runtime,
  RuntimeUnavailableError,
  type Sandbox,
  type SandboxSpec,
  SeedFailedError,
  type Session,
  type SpecIssue,
  StartFailedError,
} from '@sandkit/core';
import {
  assertValidCreateOptions,
  assertValidSession,
  assertValidSpec,
  type ContainerBlueprint,
  combineSignals,
  createContainerSandbox,
  defaultSession,
  describeEngine,
  engineFromSource,
  ensureImage,
  forgetHostPaths,
  hostPathsLabel,
  journalHostPaths,
  labelledVolumeMount,
  logTail,
  removeHostPaths,
  runExec,
  sandboxLabels,
  timeoutSignal,
  toSandkitError,
  unavailableProbe,
  unixSocketClient,
} from '@sandkit/core/runtime';
import { detectPrivilegeMode, type PrivilegeMode } from './fallback/detect-privilege-mode.js';
import { privilegedHostConfig } from './fallback/privileged-host-config.js';
import { createSandboxHostDir } from './host/sandbox-host-dir.js';
import { type ExecRelay, startExecRelay } from './inner-daemon/exec-relay.js';
import {
  INNER_DAEMON_LOG,
  type InnerDaemonOptions,
  LAUNCHER_PATH,
  SOCKET_DIR_IN_SANDBOX,
} from './inner-daemon/inner-daemon-options.js';
import { launcherScript } from './inner-daemon/launcher-script.js';
import { waitForInnerDaemon } from './inner-daemon/wait-for-inner-daemon.js';
import { detectSysbox, type SysboxDetection } from './probe/detect-sysbox.js';
import { kubernetesNodeHostConfig } from './profiles/kubernetes-node/node-host-config.js';
import { kubernetesNodePreparation } from './profiles/kubernetes-node/node-preparation.js';
import { ownInitNodeBlueprint } from './profiles/kubernetes-node/own-init-blueprint.js';
import { cloneDirectory } from './seed/clone-directory.js';
import type { EnsureGoldenOptions } from './seed/golden-store.js';
import { loadSeedImages } from './seed/load-seed-images.js';
import { planSeed, type SeedPlan } from './seed/plan-seed.js';
import { DEFAULT_SEED_STORE, storePaths } from './seed/seed-store.js';
import { validateSysboxSpec } from './validate-sysbox-spec.js';

/** Options of {@link sysbox}. */
export interface SysboxRuntimeOptions {
  /**
   * The engine sandboxes run on, or how to connect to it.
   * @default connect as the docker CLI would (DOCKER_HOST, context, default socket)
   */
  engine?: EngineSource;
  /**
   * Session everything is labelled with.
   * @default one session per process
   */
  session?: Session;
  /**
   * Run sandboxes as privileged-equivalent containers instead of under Sysbox.
   * **Insecure**: a job in such a sandbox can take over the host. `true` uses the
   * fallback only when the engine has no Sysbox runtime (trusted jobs on hosts
   * where Sysbox cannot be installed); `'always'` uses it even when Sysbox is
   * there (to test the fallback itself, or to compare the two). Warned about and
   * shown by `probe()`.
   * @default false
   */
  allowInsecure?: boolean | 'always';
  /**
   * Name under which the engine knows the Sysbox OCI runtime.
   * @default 'sysbox-runc'
   */
  ociRuntime?: string;
  /**
   * Host directory holding one directory per sandbox (the inner daemon's socket).
   * @default '/run/sandkit'
   */
  stateDir?: string;
  /**
   * Directory of the seed store (golden data roots, clones, image archives).
   * Put it on btrfs or reflink-capable XFS for copy-on-write clones (`sandkit seed mkstore` makes one on a loop device).
   * @default '/var/lib/sandkit/seed'
   */
  seedStore?: string;
  /**
   * How the inner daemon is started and networked.
   * @default see {@link InnerDaemonOptions}
   */
  innerDaemon?: InnerDaemonOptions;
  /**
   * Receives warnings, such as the insecure fallback being used.
   * @default console.warn
   */
  onWarning?: (message: string) => void;
}

/** Name of the system-container runtime in labels, errors and `explain()`. */
export const SYSBOX_RUNTIME = 'sysbox';

type Mode =
  | { kind: 'sysbox'; detection: SysboxDetection }
  | { kind: 'insecure'; privilege: PrivilegeMode; sysboxIgnored: boolean }
  | { kind: 'unavailable'; reasons: string[] };

/**
 * System-container sandboxes, each with its own inner Docker daemon
 * (`docker: 'isolated'`): under Sysbox when the engine has it, otherwise —
 * only with `allowInsecure` — as privileged-equivalent containers. The code
 * path is the same; only the OCI runtime and the container's rights differ.
 */
export class SysboxRuntime implements Runtime {
  readonly name = SYSBOX_RUNTIME;
  readonly #engine: () => Promise<Engine>;
  readonly #session: Session;
  readonly #options: SysboxRuntimeOptions;
  #mode: Promise<Mode> | undefined;
  #warned = false;

  constructor(options: SysboxRuntimeOptions = {}) {
    assertValidSession(options.session, 'sysbox()');
    this.#engine = engineFromSource(options.engine);
    this.#session = options.session ?? defaultSession();
    this.#options = options;
  }

  get #ociRuntime(): string {
    return this.#options.ociRuntime ?? 'sysbox-runc';
  }

  get #seedStore(): string {
    return this.#options.seedStore ?? DEFAULT_SEED_STORE;
  }

  get #stateDir(): string {
    return this.#options.stateDir ?? '/run/sandkit';
  }

  #resolveMode(): Promise<Mode> {
    this.#mode ??= (async (): Promise<Mode> => {
      const engine = await this.#engine();
      if (this.#options.allowInsecure === 'always') {
        return { kind: 'insecure', privilege: await detectPrivilegeMode(engine), sysboxIgnored: true };
      }
      const detection = await detectSysbox(engine, this.#ociRuntime);
      if (detection.installed) return { kind: 'sysbox', detection };
      const missing = `the engine at ${engine.address} lists no "${this.#ociRuntime}" runtime (install Sysbox: https://github.com/nestybox/sysbox)`;
      if (!this.#options.allowInsecure) {
        return {
          kind: 'unavailable',
          reasons: [missing, 'the insecure privileged fallback is off (allowInsecure: false)'],
        };
      }
      return { kind: 'insecure', privilege: await detectPrivilegeMode(engine), sysboxIgnored: false };
    })();
    this.#mode.catch(() => {
      this.#mode = undefined;
    });
    return this.#mode;
  }

  async probe(): Promise<ProbeResult> {
    let engine: Engine;
    try {
      engine = await this.#engine();
    } catch (error) {
      return unavailableProbe(this.name, [(error as Error).message]);
    }
    const [mode, facts] = await Promise.all([this.#resolveMode(), describeEngine(engine)]);
    if (mode.kind === 'sysbox') {
      return {
        runtime: this.name,
        available: true,
        reasons: [
          `the engine lists the "${this.#ociRuntime}" runtime; sandboxes are unprivileged system containers`,
        ],
        // "none" only for Kubernetes nodes that bring their own init and container runtime (see validate()).
        dockerAccess: ['isolated', 'none'],
        insecure: false,
        facts: {
          ...facts,
          sysboxPath: mode.detection.path ?? '',
          sysboxVersion: mode.detection.version ?? 'unknown',
        },
      };
    }
    if (mode.kind === 'unavailable') {
      return unavailableProbe(this.name, mode.reasons, facts);
    }
    return {
      runtime: this.name,
      available: true,
      reasons: [
        mode.sysboxIgnored
          ? `INSECURE FALLBACK: allowInsecure is 'always', so Sysbox is not used even if the engine has it`
          : `INSECURE FALLBACK: no "${this.#ociRuntime}" runtime on the engine, and allowInsecure is set`,
        mode.privilege.kind === 'privileged'
          ? 'sandboxes run with --privileged'
          : `--privileged fails on this engine (it cannot grant ${mode.privilege.unavailable.join(', ')}); sandboxes get every other capability, unconfined seccomp/AppArmor and writable cgroups`,
      ],
      dockerAccess: ['isolated', 'none'],
      insecure: true,
      facts: { ...facts, privilegeMode: mode.privilege.kind },
    };
  }

  validate(spec: SandboxSpec): SpecIssue[] {
    return validateSysboxSpec(spec, this.#options.innerDaemon ?? {});
  }

  async create(spec: SandboxSpec, options: CreateOptions = {}): Promise<Sandbox> {
    assertValidSpec(spec, this);
    assertValidCreateOptions(options, { runtime: this.name });
    const engine = await this.#engine();
    const mode = await this.#resolveMode().catch((error: unknown) => {
      throw toSandkitError(error, 'look for Sysbox on the engine', engine, {
        runtime: this.name,
        image: spec.image,
      });
    });
    if (mode.kind === 'unavailable')
      throw new RuntimeUnavailableError(this.name, mode.reasons, { image: spec.image });
    if (mode.kind === 'insecure' && !this.#warned) {
      this.#warned = true;
      (this.#options.onWarning ?? console.warn)(
        `[sandkit] WARNING: ${mode.sysboxIgnored ? "allowInsecure is 'always'" : 'Sysbox is not installed'}; the "${this.name}" runtime is using its INSECURE privileged fallback. Jobs in these sandboxes can take over the host.`,
      );
    }
    if (!spec.seed) return this.#createSandbox(engine, mode, spec, options, {});
    // A caller's timeoutMs bounds the whole create, seeding (a golden build, a lock wait) included.
    const deadline = combineSignals(options.signal, options.timeoutMs);
    const bounded: CreateOptions = {
      ...options,
      ...(deadline ? { signal: deadline } : {}),
    };
    const cancelled = (phase: string) =>
      new CancelledError('create', deadline?.reason, { runtime: this.name, image: spec.image, phase });
    try {
      // The sandbox image must be there before a golden can be keyed on it.
      await ensureImage(engine, spec.image, {
        policy: spec.pull ?? 'missing',
        runtime: this.name,
        ...(deadline ? { signal: deadline } : {}),
      });
      options.onPhase?.(`seeding: preparing ${spec.seed.images.length} image(s)`);
      const seed = await this.#planSeed(engine, mode, spec, bounded);
      return await this.#createSandbox(engine, mode, spec, bounded, { seed });
    } catch (error) {
      if (deadline?.aborted && !CancelledError.is(error)) throw cancelled('seeding');
      throw error;
    }
  }

  #createSandbox(
    engine: Engine,
    mode: Mode,
    spec: SandboxSpec,
    options: CreateOptions,
    data: { seed?: SeedPlan | undefined; dataRoot?: string },
  ): Promise<Sandbox> {
    return createContainerSandbox({
      engine,
      session: this.#session,
      runtime: this.name,
      spec,
      options,
      blueprint: ({ sandboxId, signal, labels, recordHostPaths }) =>
        this.#blueprint(engine, mode, spec, {
          sandboxId,
          signal,
          labels,
          recordHostPaths,
          ...data,
          ...(options.onPhase ? { onPhase: options.onPhase } : {}),
        }),
    });
  }

  /** Resolves the seed strategy and, for clones, makes sure the golden exists (built by a builder sandbox). */
  #planSeed(engine: Engine, mode: Mode, spec: SandboxSpec, options: CreateOptions): Promise<SeedPlan> {
    const daemon = this.#options.innerDaemon ?? {};
    return planSeed({
      engine,
      seed: spec.seed as NonNullable<SandboxSpec['seed']>,
      storeRoot: this.#seedStore,
      sandboxImage: spec.image,
      storageDriver: daemon.storageDriver ?? 'overlay2',
      userNamespace: mode.kind === 'sysbox',
      ...(options.signal ? { signal: options.signal } : {}),
      journal: this.#buildJournal(options.session ?? this.#session),
      buildGolden: async (dataRoot, images) => {
        options.onPhase?.('seeding: building the golden data root (once per seed set)');
        const builderSpec: SandboxSpec = { image: spec.image, pull: 'never', docker: 'isolated' };
        const builder = await this.#createSandbox(
          engine,
          mode,
          builderSpec,
          { ...options, timeoutMs: options.timeoutMs ?? 600_000 },
          { dataRoot },
        );
        try {
          await loadSeedImages({
            host: engine,
            inner: builder.docker(),
            images,
            archives: `${this.#seedStore}/archives`,
            ...(options.signal ? { signal: options.signal } : {}),
          });
          // A clean shutdown flushes the daemon's metadata before the data root is published.
          await engine.docker.getContainer(builder.containerId).stop({ t: 30 });
        } finally {
          await builder.destroy();
        }
      },
    });
  }

  /** Notes a golden's build directory under the session, as a sandbox of its own, while it is being built. */
  #buildJournal(session: Session): NonNullable<EnsureGoldenOptions['journal']> {
    const buildId = `golden-build-${randomUUID()}`;
    return {
      record: (path) =>
        journalHostPaths(sandboxLabels({ session, sandboxId: buildId, runtime: this.name }), buildId, [path]),
      forget: () => forgetHostPaths(buildId),
    };
  }

  async #blueprint(
    engine: Engine,
    mode: Mode,
    spec: SandboxSpec,
    target: {
      sandboxId: string;
      signal: AbortSignal;
      labels: Record<string, string>;
      recordHostPaths: (paths: readonly string[]) => Promise<void>;
      seed?: SeedPlan | undefined;
      dataRoot?: string;
      onPhase?: (phase: string) => void;
    },
  ): Promise<ContainerBlueprint> {
    const { sandboxId, labels, seed } = target;
    const rights =
      mode.kind === 'insecure' ? privilegedHostConfig(mode.privilege) : { Runtime: this.#ociRuntime };
    const remountCgroups = mode.kind === 'insecure' && mode.privilege.kind === 'explicit-capabilities';
    const kubernetesNode =
      spec.profile === 'kubernetes-node'
        ? kubernetesNodeHostConfig({
            rights: mode.kind === 'insecure' ? mode.privilege.kind : 'sysbox',
            localEngine: engine.isLocal,
          })
        : undefined;
    if ((spec.docker ?? 'none') === 'none') {
      // A node with its own init and container runtime (validation allows docker: 'none' only so).
      const own = await ownInitNodeBlueprint({
        engine,
        spec,
        rights,
        underSysbox: mode.kind === 'sysbox',
        remountCgroups,
        labels,
      });
      return {
        ...own,
        hostConfig: { ...own.hostConfig, ...kubernetesNode, Binds: kubernetesNode?.Binds ?? [] },
        ...(mode.kind === 'sysbox' ? { archiveTransport: 'exec' as const } : {}),
        ...(mode.kind === 'sysbox'
          ? {
              afterStart: async (containerId: string) => {
                await this.#verifyOciRuntime(engine, containerId, {
                  runtime: this.name,
                  sandboxId,
                  image: spec.image,
                  containerId,
                });
                return undefined;
              },
            }
          : {}),
      };
    }
    const daemon = this.#options.innerDaemon ?? {};
    const byLauncher = (daemon.startedBy ?? 'launcher') === 'launcher';
    const hostDir = engine.isLocal && byLauncher ? join(this.#stateDir, sandboxId) : undefined;
    const relayDir = join(tmpdir(), 'sandkit-relay', sandboxId);
    const cloneDir =
      seed?.strategy === 'clone' ? join(storePaths(seed.store.root).clones, sandboxId) : undefined;
    const hostPaths = [...(hostDir ? [hostDir] : []), relayDir, ...(cloneDir ? [cloneDir] : [])];
    await target.recordHostPaths(hostPaths);
    if (hostDir) await createSandboxHostDir(this.#stateDir, sandboxId);
    let dataRoot = target.dataRoot;
    if (seed?.strategy === 'clone' && cloneDir) {
      target.onPhase?.(`seeding: cloning the golden data root (${seed.store.cloneMethod})`);
      dataRoot = cloneDir;
      await cloneDirectory(seed.store.cloneMethod, seed.golden, dataRoot, target.signal);
    }
    const context = { runtime: this.name, sandboxId, image: spec.image };
    let relay: ExecRelay | undefined;

    return {
      labels: hostPathsLabel(hostPaths),
      // Without shiftfs, the engine's view of a running Sysbox container's files is not the job's.
      ...(mode.kind === 'sysbox' ? { archiveTransport: 'exec' as const } : {}),
      hostConfig: {
        ...rights,
        ...kubernetesNode,
        // The inner data root is a real file system, never the container's overlay rootfs (which would
        // degrade to vfs): a labelled volume, or a host directory (a seed clone, a golden being built).
        ...(dataRoot ? {} : { Mounts: [labelledVolumeMount('/var/lib/docker', labels)] }),
        Binds: [
          ...(hostDir ? [`${hostDir}:${SOCKET_DIR_IN_SANDBOX}`] : []),
          ...(dataRoot ? [`${dataRoot}:/var/lib/docker`] : []),
          ...(kubernetesNode?.Binds ?? []),
        ],
      },
      ...(byLauncher
        ? {
            entrypoint: ['/bin/sh', LAUNCHER_PATH],
            cmd: [...(spec.entrypoint ?? []), ...(spec.cmd ?? [])],
            files: [
              {
                path: LAUNCHER_PATH,
                content: launcherScript(daemon, {
                  remountCgroups,
                  ...(kubernetesNode
                    ? { preparation: kubernetesNodePreparation(mode.kind === 'sysbox') }
                    : {}),
                }),
                mode: 0o755,
              },
            ],
            // An init reaps what the inner daemon's children leave behind and forwards SIGTERM to it.
            init: true,
          }
        : {}),
      afterStart: async (containerId, signal) => {
        const containerContext = { ...context, containerId };
        if (mode.kind === 'sysbox') await this.#verifyOciRuntime(engine, containerId, containerContext);
        const readyTimeoutMs = daemon.readyTimeoutMs ?? 60_000;
        const ready = AbortSignal.any([signal, timeoutSignal(readyTimeoutMs)]);
        const hostSocket = hostDir ? join(hostDir, 'docker.sock') : undefined;
        let path: Awaited<ReturnType<typeof waitForInnerDaemon>>;
        try {
          path = await waitForInnerDaemon({
            engine,
            containerId,
            hostClient: hostSocket ? unixSocketClient(hostSocket) : undefined,
            signal: ready,
            context: containerContext,
          });
        } catch (error) {
          if (signal.aborted || !ready.aborted) throw error;
          throw new StartFailedError(
            `The inner Docker daemon did not answer /_ping within ${readyTimeoutMs} ms`,
            {
              ...containerContext,
              logTail: await this.#innerDaemonLog(engine, containerId, spec),
            },
          );
        }
        let socketPath = hostSocket as string;
        if (path === 'relay') {
          relay = await startExecRelay(
            engine,
            containerId,
            join(tmpdir(), 'sandkit-relay', sandboxId, 'docker.sock'),
          );
          socketPath = relay.socketPath;
        }
        const client = unixSocketClient(socketPath);
        if (seed?.strategy === 'load') {
          target.onPhase?.('seeding: loading images into the inner daemon');
          try {
            await loadSeedImages({
              host: engine,
              inner: client,
              images: seed.images,
              archives: seed.archives,
              signal,
            });
          } catch (error) {
            signal.throwIfAborted();
            throw SeedFailedError.is(error)
              ? error
              : new SeedFailedError(
                  'Loading the seed images into the inner daemon failed',
                  { ...containerContext, cause: error },
                  String((error as Error).message),
                );
          }
        }
        return { dockerHost: `unix://${socketPath}`, client };
      },
      teardown: async () => {
        await relay?.close();
        await removeHostPaths(hostPaths);
      },
    };
  }

  async #verifyOciRuntime(
    engine: Engine,
    containerId: string,
    context: Record<string, string>,
  ): Promise<void> {
    const info = await engine.docker.getContainer(containerId).inspect();
    if (info.HostConfig.Runtime !== this.#ociRuntime) {
      throw new StartFailedError(
        `The engine ignored the requested OCI runtime: the sandbox runs under "${info.HostConfig.Runtime}", not "${this.#ociRuntime}"`,
        { ...context, containerId },
      );
    }
  }

  /** The inner daemon's log: the container's own output, or its log file when the sandbox runs a command of its own. */
  async #innerDaemonLog(engine: Engine, containerId: string, spec: SandboxSpec): Promise<string> {
    const own = await logTail(engine, containerId);
    if (!spec.cmd && !spec.entrypoint) return own;
    const inner = await runExec(
      ['tail', '-n', '40', INNER_DAEMON_LOG],
      { reject: false, timeoutMs: 5_000 },
      {
        engine,
        containerId,
      },
    ).catch(() => undefined);
    return [own, inner?.stdout ? `${INNER_DAEMON_LOG}:\n${inner.stdout}` : ''].filter(Boolean).join('\n');
  }

  engine(): Promise<Engine> {
    return this.#engine();
  }
}

/** The system-container runtime: each sandbox runs its own Docker daemon, under Sysbox (or, opted in, insecurely). */
export function sysbox(options: SysboxRuntimeOptions = {}): SysboxRuntime {
  return new SysboxRuntime(options);
}
