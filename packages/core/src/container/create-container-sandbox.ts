import type Dockerode from 'dockerode';
import { v7 as uuidv7 } from 'uuid';
import { journalHostPaths } from '../cleanup/host-path-journal.js';
import { logTail } from '../engine/container-logs.js';
import type { Engine } from '../engine/engine.js';
import { ensureImage } from '../engine/pull-image.js';
import { sweepByLabel } from '../engine/sweep-by-label.js';
import { toSandkitError } from '../engine/to-sandkit-error.js';
import { unlessEngineHangs } from '../engine/unless-engine-hangs.js';
import {
  CancelledError,
  EngineUnreachableError,
  SandkitError,
  type SandkitErrorContext,
  StartFailedError,
} from '../errors/index.js';
import { INHERITED_LABEL_OVERRIDES, type Session, sandboxLabels } from '../labels/sandkit-labels.js';
import type { CreateOptions } from '../runtime/runtime.js';
import type { SandboxFile, SandboxSpec } from '../spec/sandbox-spec.js';
import { combineSignals, raceSignal } from '../util/abort.js';
import type { ArchiveTransportKind } from './archive-transport.js';
import { ContainerSandbox, type EngineAccess } from './container-sandbox.js';
import { expiryHealthcheck } from './expiry-healthcheck.js';
import { filesToTar } from './file-archive.js';
import { joinSessionNetwork } from './session-network.js';
import { waitUntilReady } from './wait-until-ready.js';

/** Default limit on how long `create()` may take, readiness included. */
export const DEFAULT_CREATE_TIMEOUT_MS = 300_000;
/** Default process limit of a sandbox. */
export const DEFAULT_PIDS_LIMIT = 4096;

/** What a runtime adds to sandkit's defaults for the sandbox container. */
export interface ContainerBlueprint {
  /** HostConfig fields of the runtime (security options, OCI runtime, mounts…), applied over sandkit's. */
  hostConfig: Dockerode.HostConfig;
  /** Environment added to the spec's. */
  env?: Record<string, string>;
  /** Replaces the spec's entrypoint (e.g. a launcher that starts an inner daemon). */
  entrypoint?: string[];
  /** Replaces the spec's cmd. */
  cmd?: string[];
  /** Labels added to the container (e.g. the host paths that go with it). */
  labels?: Record<string, string>;
  /** Files written before start, in addition to the spec's (e.g. a launcher script). */
  files?: SandboxFile[];
  /**
   * Run an init process as PID 1 that reaps zombies and forwards signals. Off
   * by default: without it, a main command that cannot be executed fails the
   * engine's start call itself, so `create()` reports it deterministically.
   * @default only for sandboxes with a `ttlMs` (their expiry check signals PID 1)
   */
  init?: boolean;
  /**
   * How files are copied in and out once the sandbox runs (files of the spec and
   * the blueprint are always written through the engine, before start).
   * @default 'engine'
   */
  archiveTransport?: ArchiveTransportKind;
  /** Runs after the container started and before readiness; returns the job's engine access, if any. */
  afterStart?: (containerId: string, signal: AbortSignal) => Promise<EngineAccess | undefined>;
  /** Removes what the runtime made outside the engine (host directories, proxies). Always called, also on failure. */
  teardown?: () => Promise<void>;
}

/** What a runtime's blueprint gets to work with. */
export interface BlueprintContext {
  sandboxId: string;
  session: Session;
  signal: AbortSignal;
  /** When the sandbox expires (ms since epoch), for labels of objects the runtime makes for it. */
  expiresAt: number | undefined;
  /** sandkit's labels of the sandbox (session, sandbox, runtime, owner, expiry, cluster): for the objects the runtime makes for it. */
  labels: Record<string, string>;
  /**
   * Notes host paths the runtime is about to create for this sandbox. Call it
   * before creating them: a process killed before the container exists leaves
   * paths that only this note names, and sweeps remove them by it.
   */
  recordHostPaths: (paths: readonly string[]) => Promise<void>;
}

/** Arguments of {@link createContainerSandbox}. */
export interface CreateContainerSandboxArgs {
  engine: Engine;
  /** The runtime's session; `options.session` overrides it. */
  session: Session;
  runtime: string;
  spec: SandboxSpec;
  options: CreateOptions;
  /** Builds the runtime's part of the container once the sandbox id is known. */
  blueprint: (context: BlueprintContext) => Promise<ContainerBlueprint>;
}

/**
 * The create sequence every container runtime shares: pull per policy, join
 * the session network, create the labelled container, copy the spec's files,
 * start, let the runtime finish its part, wait for readiness. On any failure,
 * abort or timeout it removes everything created so far (by label, so even an
 * object whose creation raced the abort is found) before it throws.
 */
export function createContainerSandbox(args: CreateContainerSandboxArgs): Promise<ContainerSandbox> {
  const id = uuidv7();
  const signal = combineSignals(
    args.options.signal,
    args.options.timeoutMs ?? DEFAULT_CREATE_TIMEOUT_MS,
  ) as AbortSignal;
  const progress = { phase: 'preparing' };
  // The deadline holds even while the engine does not answer: then what the create may still
  // make is removed when it answers (here, or by the watchdog or gc, all by label).
  return unlessEngineHangs(args.engine, runCreate(args, id, signal, progress), signal, {
    hung: () =>
      new CancelledError('create', signal.reason, {
        runtime: args.runtime,
        sandboxId: id,
        image: args.spec.image,
        phase: progress.phase,
        removal: 'pending',
      }),
    abandoned: (sandbox) => sandbox.destroy(),
  });
}

async function runCreate(
  args: CreateContainerSandboxArgs,
  id: string,
  signal: AbortSignal,
  progress: { phase: string },
): Promise<ContainerSandbox> {
  const { engine, runtime, spec, options } = args;
  const session = options.session ?? args.session;
  const context: SandkitErrorContext = { runtime, sandboxId: id, image: spec.image };
  const teardowns: Array<() => Promise<void>> = [];
  const teardown = async () => {
    for (const step of teardowns.reverse()) await step();
  };
  let containerId: string | undefined;
  const enter = (next: string) => {
    progress.phase = next;
    options.onPhase?.(next);
  };

  try {
    signal.throwIfAborted();
    enter(`looking up the image ${spec.image}`);
    let pulling = false;
    await ensureImage(engine, spec.image, {
      policy: spec.pull ?? 'missing',
      signal,
      runtime,
      onProgress: () => {
        if (!pulling) enter(`pulling ${spec.image}`);
        pulling = true;
      },
    });
    signal.throwIfAborted();
    enter('creating the container');
    const placement = options.clusterNode;
    // A cluster node sits on its cluster's network; any other sandbox on its session's.
    const networkId = placement
      ? placement.networkId
      : await joinSessionNetwork(engine, session, runtime).then((network) => {
          teardowns.push(network.release);
          return network.id;
        });
    const expiresAt = spec.ttlMs !== undefined ? Date.now() + spec.ttlMs : undefined;
    const ownLabels = sandboxLabels({
      session,
      sandboxId: id,
      runtime,
      expiresAt,
      cluster: placement?.membership,
    });
    const blueprint = await args.blueprint({
      sandboxId: id,
      session,
      signal,
      expiresAt,
      labels: ownLabels,
      recordHostPaths: (paths) => journalHostPaths(ownLabels, id, paths),
    });
    if (blueprint.teardown) teardowns.push(blueprint.teardown);
    signal.throwIfAborted();

    const labels = { ...INHERITED_LABEL_OVERRIDES, ...spec.labels, ...blueprint.labels, ...ownLabels };
    const ports = (spec.ports ?? []).map((p) =>
      typeof p === 'number' ? `${p}/tcp` : `${p.container}/${p.protocol ?? 'tcp'}`,
    );
    const hostIp = engine.isLocal ? '127.0.0.1' : '';
    const env = { ...spec.env, ...blueprint.env };
    const entrypoint = blueprint.entrypoint ?? spec.entrypoint;
    const cmd = blueprint.cmd ?? spec.cmd;
    // Engine calls that create objects are never raced against the signal: they run to the
    // end, so everything they make is known and removed below.
    const container = await engine.docker.createContainer({
      name: sandboxContainerName(id),
      Image: spec.image,
      Labels: labels,
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      ...(entrypoint ? { Entrypoint: entrypoint } : {}),
      ...(cmd ? { Cmd: cmd } : {}),
      ...(spec.user ? { User: spec.user } : {}),
      ...(spec.workdir ? { WorkingDir: spec.workdir } : {}),
      ...(placement
        ? {
            Hostname: placement.membership.node.name,
            NetworkingConfig: {
              EndpointsConfig: {
                [networkId]: {
                  IPAMConfig: { IPv4Address: placement.ipv4Address },
                  Aliases: [placement.membership.node.name],
                },
              },
            },
          }
        : {}),
      ExposedPorts: Object.fromEntries(ports.map((p) => [p, {}])),
      ...(expiresAt !== undefined && !(spec.readiness && 'healthcheck' in spec.readiness)
        ? { Healthcheck: expiryHealthcheck(expiresAt, spec.ttlMs as number) }
        : {}),
      HostConfig: {
        NetworkMode: networkId,
        PortBindings: Object.fromEntries(ports.map((p) => [p, [{ HostIp: hostIp, HostPort: '' }]])),
        PidsLimit: spec.resources?.pids ?? DEFAULT_PIDS_LIMIT,
        // The expiry healthcheck signals PID 1, which only an init acts on.
        Init: blueprint.init ?? expiresAt !== undefined,
        ...(spec.resources?.cpus ? { NanoCpus: Math.round(spec.resources.cpus * 1e9) } : {}),
        ...(spec.resources?.memoryBytes ? { Memory: spec.resources.memoryBytes } : {}),
        ...blueprint.hostConfig,
      },
    });
    containerId = container.id;
    context.containerId = containerId;
    const files = [...(blueprint.files ?? []), ...(spec.files ?? [])];
    if (files.length > 0) await container.putArchive(filesToTar(files), { path: '/' });
    signal.throwIfAborted();
    enter('starting the container');
    await container.start();
    if (blueprint.afterStart) enter('starting the engine inside');
    const engineAccess = blueprint.afterStart
      ? await raceSignal(blueprint.afterStart(containerId, signal), signal)
      : undefined;
    enter('waiting for readiness');
    await waitUntilReady(engine, containerId, spec.readiness, signal, context);
    return new ContainerSandbox({
      engine,
      id,
      runtime,
      containerId,
      image: spec.image,
      engineAccess,
      archiveTransport: blueprint.archiveTransport,
      teardown,
    });
  } catch (error) {
    const failure = await describeFailure(error, signal, engine, containerId, {
      ...context,
      phase: progress.phase,
    });
    await removeEverything(engine, id, teardown);
    throw failure;
  }
}

async function describeFailure(
  error: unknown,
  signal: AbortSignal,
  engine: Engine,
  containerId: string | undefined,
  context: SandkitErrorContext & { phase: string },
): Promise<SandkitError> {
  if (signal.aborted) {
    const tail = containerId ? await logTail(engine, containerId) : '';
    return new CancelledError('create', signal.reason, { ...context, ...(tail ? { logTail: tail } : {}) });
  }
  if (SandkitError.is(error)) return error;
  const { phase, ...rest } = context;
  // An engine that stopped answering is not a start failure; its logs could not be read anyway.
  const mapped = toSandkitError(error, `create the sandbox (${phase})`, engine, rest);
  if (EngineUnreachableError.is(mapped)) return mapped;
  const engineMessage =
    (error as { json?: { message?: string } }).json?.message ?? (error as Error)?.message ?? String(error);
  return new StartFailedError(`Could not start the sandbox (${phase}): ${engineMessage.trim()}`, {
    ...rest,
    cause: error,
    ...(containerId ? { logTail: await logTail(engine, containerId) } : {}),
  });
}

async function removeEverything(
  engine: Engine,
  sandboxId: string,
  teardown: () => Promise<void>,
): Promise<void> {
  // Twice if needed: a transient engine error during cleanup must not leak the sandbox.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await sweepByLabel(engine, { sandbox: sandboxId });
      break;
    } catch {
      // retried once
    }
  }
  await teardown().catch(() => {});
}

/** Name of a sandbox's own container on the engine. */
export function sandboxContainerName(sandboxId: string): string {
  return `sandkit-${sandboxId}`;
}
