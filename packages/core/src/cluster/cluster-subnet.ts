/** An IPv4 subnet: its first address as a 32-bit number, and its prefix length. */
export interface Subnet {
  base: number;
  prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Where sandkit carves cluster networks from when none is given: /24s, clear of the inner daemons' 10.199-10.201. */
export const CLUSTER_SUBNET_POOL = '10.210.0.0/16';

/** Parses `a.b.c.d/n`; `undefined` unless it is a valid IPv4 CIDR whose address is the subnet's first. */
export function parseSubnet(cidr: string): Subnet | undefined {
  const match = CIDR.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = octets.reduce((n, o) => n * 256 + o, 0);
  if (base % 2 ** (32 - prefix) !== 0) return undefined;
  return { base, prefix };
}

export function formatAddress(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export function formatSubnet(subnet: Subnet): string {
  return `${formatAddress(subnet.base)}/${subnet.prefix}`;
}

/** How many addresses nodes can get: all but the network address, the gateway and the broadcast address. */
export function nodeCapacity(subnet: Subnet): number {
  return Math.max(0, 2 ** (32 - subnet.prefix) - 3);
}

/** The gateway's address (the subnet's first usable address). */
export function gatewayAddress(subnet: Subnet): string {
  return formatAddress(subnet.base + 1);
}

/** The address of the node at `index` (0-based, in plan order): `.2`, `.3`, … */
export function nodeAddress(subnet: Subnet, index: number): string {
  if (index < 0 || index >= nodeCapacity(subnet))
    throw new RangeError(`node ${index} does not fit in ${formatSubnet(subnet)}`);
  return formatAddress(subnet.base + 2 + index);
}

export function subnetsOverlap(a: Subnet, b: Subnet): boolean {
  const aEnd = a.base + 2 ** (32 - a.prefix);
  const bEnd = b.base + 2 ** (32 - b.prefix);
  return a.base < bEnd && b.base < aEnd;
}

/**
 * The first /24 of the pool that overlaps none of the subnets in use on the
 * engine (unparsable ones are ignored), or `undefined` when the pool is full.
 * `skip` more free ones are passed over (a retry after another process took one).
 */
export function pickFreeSubnet(inUse: readonly string[], skip = 0): string | undefined {
  const pool = parseSubnet(CLUSTER_SUBNET_POOL) as Subnet;
  const used = inUse.map(parseSubnet).filter((s): s is Subnet => s !== undefined);
  let skipped = 0;
  for (let base = pool.base; base < pool.base + 2 ** (32 - pool.prefix); base += 256) {
    const candidate = { base, prefix: 24 };
    if (used.some((u) => subnetsOverlap(u, candidate))) continue;
    if (skipped++ < skip) continue;
    return formatSubnet(candidate);
  }
  return undefined;
}
