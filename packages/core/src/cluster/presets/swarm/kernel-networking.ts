import type { Sandbox } from '../../../sandbox/sandbox.js';

/** What the kernel offers swarm's networking (a sandbox shares its host's kernel). */
export interface KernelNetworking {
  /** VXLAN, which overlay networks are made of. */
  vxlan: boolean;
  /** IPVS, behind swarm's virtual-IP services and its ingress routing mesh. */
  ipvs: boolean;
}

/**
 * Shell test for both, run where the kernel is seen: a module built in or
 * loaded shows in /sys/module; IPVS also shows as /proc/net/ip_vs once loaded.
 * (Nothing can load a module from inside a sandbox, nor should sandkit on the host.)
 */
export const KERNEL_NETWORKING_PROBE =
  'if [ -d /sys/module/vxlan ]; then echo vxlan=yes; else echo vxlan=no; fi; if [ -d /sys/module/ip_vs ] || [ -e /proc/net/ip_vs ]; then echo ipvs=yes; else echo ipvs=no; fi';

/** Parses the probe's output. */
export function parseKernelNetworking(output: string): KernelNetworking {
  return { vxlan: /\bvxlan=yes\b/.test(output), ipvs: /\bipvs=yes\b/.test(output) };
}

/** Looks at the kernel from inside a node. */
export async function detectKernelNetworking(node: Sandbox, signal: AbortSignal): Promise<KernelNetworking> {
  const { stdout } = await node.exec(['sh', '-c', KERNEL_NETWORKING_PROBE], { signal, timeoutMs: 10_000 });
  return parseKernelNetworking(stdout);
}

/** What swarm can and cannot do on such a kernel, in words a person can act on (empty when it can do everything). */
export function swarmLimits(kernel: KernelNetworking): string[] {
  const limits: string[] = [];
  if (!kernel.vxlan)
    limits.push(
      'no VXLAN in the kernel: overlay networks cannot carry traffic between nodes (load or build in the vxlan module)',
    );
  if (!kernel.ipvs)
    limits.push(
      'no IPVS in the kernel: swarm services with a virtual IP (the default endpoint mode) resolve but never answer, and the ingress routing mesh (published ports) does not work; use --endpoint-mode dnsrr and reach tasks by name, or publish with mode=host',
    );
  return limits;
}
