import { SandkitError } from '../../../errors/index.js';
import { delay } from '../../../util/abort.js';
import type { SandboxCluster } from '../../sandbox-cluster.js';
import type { SwarmState } from './swarm-preset.js';
import { type SwarmServiceOptions, serviceCreateCommand } from './swarm-requests.js';

/** A running swarm service: where each of its tasks runs. */
export interface SwarmService {
  name: string;
  endpointMode: 'dnsrr' | 'vip';
  /** One entry per running task: the node it runs on. */
  tasks: Array<{ name: string; node: string }>;
}

/**
 * Creates a replicated service on a swarm cluster and waits until all its
 * tasks run. Defaults fit the host: `dnsrr` where the kernel has no IPVS (a
 * `vip` service is refused there with `HostUnsupportedError`), one task per
 * node, the preset's overlay network.
 */
export async function createSwarmService(
  cluster: SandboxCluster<SwarmState>,
  options: SwarmServiceOptions & {
    /** Aborts the wait (the service stays; it goes with the cluster). */
    signal?: AbortSignal;
    /**
     * How long the tasks get to run.
     * @default 60_000
     */
    timeoutMs?: number;
  },
): Promise<SwarmService> {
  const state = cluster.state;
  if (!state)
    throw new SandkitError(`Cluster ${cluster.name} has no swarm (it was made without the swarm preset)`);
  const { signal, timeoutMs = 60_000, ...service } = options;
  const command = serviceCreateCommand(service, {
    kernel: state.kernel,
    nodes: cluster.nodes.length,
    defaultNetwork: state.overlayNetwork,
  });
  const manager = cluster.node(state.bootstrapNode);
  await manager.exec(command, { ...(signal ? { signal } : {}), timeoutMs: 60_000 });
  const replicas = Number(command[command.indexOf('--replicas') + 1]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { stdout } = await manager.exec(
      [
        'docker',
        'service',
        'ps',
        service.name,
        '--filter',
        'desired-state=running',
        '--format',
        '{{.Name}} {{.Node}} {{.CurrentState}}',
      ],
      { ...(signal ? { signal } : {}), timeoutMs: 30_000 },
    );
    const tasks = stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([, , current]) => current === 'Running')
      .map(([name, node]) => ({ name: name as string, node: node as string }));
    if (tasks.length >= replicas) {
      return {
        name: service.name,
        endpointMode: command[command.indexOf('--endpoint-mode') + 1] as 'dnsrr' | 'vip',
        tasks,
      };
    }
    if (Date.now() > deadline)
      throw new SandkitError(
        `Swarm service ${service.name}: ${tasks.length} of ${replicas} tasks running after ${timeoutMs} ms`,
        {},
        stdout,
      );
    await delay(250, signal);
  }
}
