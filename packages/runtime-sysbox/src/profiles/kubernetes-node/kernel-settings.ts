/**
 * The kernel settings a kubelet checks at start (and sets when they differ,
 * failing where it cannot): `/proc/sys` paths and the values it wants. They
 * are global, not per container, so a node must never change the host's.
 */
export const KUBELET_KERNEL_SETTINGS: Readonly<Record<string, string>> = {
  'kernel/panic': '10',
  'kernel/panic_on_oops': '1',
  'vm/overcommit_memory': '1',
};
