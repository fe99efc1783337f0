import { v7 as uuidv7 } from 'uuid';
import type { Engine } from '../engine/engine.js';
import { sweepByLabel } from '../engine/sweep-by-label.js';
import {
  CancelledError,
  ClusterFailedError,
  type ClusterStep,
  InvalidSpecError,
  SandkitError,
} from '../errors/index.js';
import type { ClusterMembership, Session } from '../labels/sandkit-labels.js';
import type { ClusterNodePlacement, Runtime } from '../runtime/runtime.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { SandboxSpec } from '../spec/sandbox-spec.js';
import { timeoutSignal } from '../util/abort.js';
import { createClusterNetwork } from './cluster-network.js';
import type { ClusterNode } from './cluster-node.js';
import type { PresetStepContext } from './cluster-preset.js';
import type { ClusterCreateOptions, ClusterSpec } from './cluster-spec.js';
import { addressNodes, findClusterSpecIssues, planNodes, roleSpec } from './plan-cluster.js';
import { SandboxCluster } from './sandbox-cluster.js';

/** Default limit on a cluster's whole creation. */
export const DEFAULT_CLUSTER_TIMEOUT_MS = 600_000;

/** A node's progress, as the orchestrator reports it. */
export interface NodeProgress {
  clusterId: string;
  cluster: string;
  node: string;
  role: string;
  /** `queued`, the runtime's phases (`seeding: …`, `starting the engine inside`, …), `ready`, the preset's phases, `joined`, or `failed (<step>): <why>`. */
  phase: string;
  sinceStartMs: number;
}

/** What the cluster creation needs from its orchestrator. */
export interface ClusterHost {
  session: Session;
  /** The runtime the orchestrator would create this node spec on (throws `RuntimeUnavailableError` when none fits). */
  runtimeFor(spec: SandboxSpec): Promise<Runtime>;
  /** Creates one node through the orchestrator's queue. */
  createNode(
    spec: SandboxSpec,
    options: {
      signal: AbortSignal;
      priority: number;
      runtime: string;
      clusterNode: ClusterNodePlacement;
      onPhase: (phase: string) => void;
    },
  ): Promise<Sandbox>;
  onNode(progress: NodeProgress): void;
  /** Called once the cluster is destroyed. */
  onDestroyed(cluster: SandboxCluster<unknown>): void;
}

/** Why the creation stopped: a node's step failed (the first one to). */
interface NodeFailure {
  node: string;
  step: ClusterStep;
  error: unknown;
}

/**
 * Creates a cluster: checks the whole spec first (nothing is created for an
 * invalid one), creates the labelled network, creates every node in parallel
 * through the orchestrator's queue, and runs the preset: the bootstrap as soon
 * as its node is ready, each join as soon as its node and the bootstrap are.
 * The first failure cancels everything still running; then every node, the
 * network and whatever carries the cluster's label are removed before it throws.
 */
export async function createCluster<State>(
  host: ClusterHost,
  spec: ClusterSpec<State>,
  options: ClusterCreateOptions = {},
): Promise<SandboxCluster<State>> {
  const runtime = await checkSpec(host, spec);
  const clusterId = uuidv7();
  const name = spec.name ?? 'cluster';
  const startedAt = Date.now();
  const planned = planNodes(spec);
  const firstFailure = new AbortController();
  const signal = AbortSignal.any([
    firstFailure.signal,
    timeoutSignal(options.timeoutMs ?? DEFAULT_CLUSTER_TIMEOUT_MS),
    ...(options.signal ? [options.signal] : []),
  ]);
  let failure: NodeFailure | undefined;
  const report = (node: { name: string; role: string }, phase: string) =>
    host.onNode({
      clusterId,
      cluster: name,
      node: node.name,
      role: node.role,
      phase,
      sinceStartMs: Date.now() - startedAt,
    });
  /** Rejects with the error, after noting it as the cluster's failure if it is the first. */
  const fail = (node: { name: string; role: string }, step: ClusterStep) => (error: unknown) => {
    if (!failure && !signal.aborted) {
      failure = { node: node.name, step, error };
      report(node, `failed (${step}): ${(error as Error)?.message?.split('\n')[0] ?? String(error)}`);
      firstFailure.abort(new SandkitError(`node ${node.name} failed`, { cause: error }));
    }
    throw error;
  };
  const membership: ClusterMembership = { clusterId, clusterName: name };
  const engine = await runtime.engine();
  const expiresAt = spec.spec.ttlMs !== undefined ? Date.now() + spec.spec.ttlMs : undefined;
  const created: ClusterNode[] = [];
  try {
    signal.throwIfAborted();
    const network = await createClusterNetwork(engine, {
      session: host.session,
      membership,
      runtime: runtime.name,
      expiresAt,
      subnet: spec.subnet,
    });
    const nodes = addressNodes(planned, network.subnet);
    const ready = nodes.map((node) => {
      report(node, 'queued');
      return host
        .createNode(node.spec, {
          signal,
          priority: options.priority ?? 0,
          runtime: runtime.name,
          clusterNode: {
            membership: { ...membership, node: { name: node.name, role: node.role } },
            networkId: network.id,
            ipv4Address: node.address,
          },
          onPhase: (phase) => report(node, phase),
        })
        .then(
          (sandbox) => {
            const member: ClusterNode = { name: node.name, role: node.role, address: node.address, sandbox };
            created.push(member);
            report(node, 'ready');
            return member;
          },
          fail(node, 'create'),
        );
    });
    const steps: Array<Promise<unknown>> = [...ready];
    let state: State | undefined;
    const preset = spec.preset;
    if (preset) {
      const context = (node: { name: string; role: string }): PresetStepContext => ({
        signal,
        report: (phase) => report(node, phase),
        plan: nodes,
      });
      const first = preset.bootstrapNode(planned);
      const bootstrapIndex = nodes.findIndex((n) => n.name === first);
      const bootstrapped = (ready[bootstrapIndex] as Promise<ClusterNode>).then((node) =>
        preset.bootstrap(node, context(node)).then(
          (result) => {
            report(node, 'bootstrapped');
            return result;
          },
          fail(node, 'bootstrap'),
        ),
      );
      steps.push(bootstrapped);
      const joined = ready.map((nodeReady, i) =>
        i === bootstrapIndex
          ? nodeReady
          : Promise.all([nodeReady, bootstrapped]).then(([node, bootState]) =>
              preset.join(node, bootState, context(node)).then(
                () => {
                  report(node, 'joined');
                  return node;
                },
                fail(node, 'join'),
              ),
            ),
      );
      steps.push(...joined);
      await settleAll(steps);
      state = await bootstrapped;
      const bootstrapNode = await (ready[bootstrapIndex] as Promise<ClusterNode>);
      await preset
        .settle(bootstrapNode, await Promise.all(ready), state, context(bootstrapNode))
        .catch(fail(bootstrapNode, 'settle'));
    } else {
      await settleAll(steps);
    }
    const byPlan = await Promise.all(ready);
    const cluster: SandboxCluster<State> = new SandboxCluster<State>({
      id: clusterId,
      name,
      network,
      nodes: byPlan,
      state,
      engine,
      onDestroyed: () => host.onDestroyed(cluster as SandboxCluster<unknown>),
    });
    return cluster;
  } catch (error) {
    await removeCluster(engine, clusterId, created);
    if (failure && !options.signal?.aborted) {
      throw new ClusterFailedError({
        clusterId,
        node: failure.node,
        step: failure.step,
        runtime: runtime.name,
        cause: failure.error,
      });
    }
    if (signal.aborted || CancelledError.is(error)) {
      throw new CancelledError(
        'create the cluster',
        options.signal?.aborted ? options.signal.reason : signal.reason,
        {
          runtime: runtime.name,
        },
      );
    }
    throw error;
  }
}

/** Waits for every step to settle; rejects with the first rejection once all settled. */
async function settleAll(steps: readonly Promise<unknown>[]): Promise<void> {
  const outcomes = await Promise.allSettled(steps);
  const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (rejected) throw rejected.reason;
}

/** Everything of a cluster whose creation failed: each node made so far, then whatever carries its label (the network too). */
async function removeCluster(
  engine: Engine,
  clusterId: string,
  created: readonly ClusterNode[],
): Promise<void> {
  await Promise.allSettled(created.map((node) => node.sandbox.destroy()));
  // Twice if needed: a transient engine error during cleanup must not leak the cluster.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await sweepByLabel(engine, { cluster: clusterId });
      return;
    } catch {
      // retried once
    }
  }
}

/**
 * The one runtime every node is created on, after checking the whole spec:
 * the generic checks, then that runtime's own rules, on every role's spec.
 */
async function checkSpec(host: ClusterHost, spec: ClusterSpec<unknown>): Promise<Runtime> {
  const generic = findClusterSpecIssues(spec);
  if (generic.length > 0) throw new InvalidSpecError(generic);
  // The runtime the cluster's own spec gets; every role must be valid for it, and get it too.
  const runtime = await host.runtimeFor(roleSpec(spec.spec));
  const issues = findClusterSpecIssues(spec, (nodeSpec) => runtime.validate(nodeSpec));
  if (issues.length > 0) throw new InvalidSpecError(issues, { runtime: runtime.name });
  const roles = [...new Map(planNodes(spec).map((node) => [node.role, node])).values()];
  const others = await Promise.all(roles.map((node) => host.runtimeFor(node.spec)));
  const elsewhere = roles.filter((_, i) => others[i]?.name !== runtime.name);
  if (elsewhere.length > 0) {
    throw new InvalidSpecError(
      elsewhere.map((node) => ({
        path: `nodes.${node.role}.spec`,
        problem: `would run on the ${others[roles.indexOf(node)]?.name} runtime, the cluster on ${runtime.name}`,
        allowed: `a spec the ${runtime.name} runtime serves, as every node of a cluster runs on one runtime`,
      })),
      { runtime: runtime.name },
    );
  }
  return runtime;
}
