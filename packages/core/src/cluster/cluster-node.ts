import type { Sandbox } from '../sandbox/sandbox.js';

/** One node of a cluster: a normal sandbox, at a stable name and address on the cluster's network. */
export interface ClusterNode {
  /** `<role>-<n>`: also its hostname, and its name on the cluster network (other nodes resolve it). */
  readonly name: string;
  /** The role it was made for, e.g. `worker`. */
  readonly role: string;
  /** Its IPv4 address on the cluster network. */
  readonly address: string;
  /** The sandbox: exec, files, `docker()` for its inner daemon, … */
  readonly sandbox: Sandbox;
}
