import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { copyKubernetesBinaries } from '../../packages/host-setup/src/recipes/kubernetes-binaries.js';
import { KUBERNETES_BINARIES } from './kubernetes-binaries.js';
import { tempDir } from './temp-dir.js';

/** Runs the host's kubectl with some arguments (and standard input); resolves to what it printed. */
export type HostKubectl = (args: string[], input?: string) => Promise<string>;

/**
 * kubectl on the host (unpacked from {@link KUBERNETES_BINARIES}), through a
 * cluster's kubeconfig: what a user of `cluster.state.kubeconfig` does.
 */
export async function hostKubectl(kubeconfig: string): Promise<HostKubectl> {
  const dir = await tempDir('sandkit-kubectl-');
  await copyKubernetesBinaries(KUBERNETES_BINARIES, ['kubectl'], dir);
  await writeFile(join(dir, 'kubeconfig'), kubeconfig);
  return async (args, input) =>
    (
      await execa(join(dir, 'kubectl'), [`--kubeconfig=${join(dir, 'kubeconfig')}`, ...args], {
        timeoutMs: 60_000,
        ...(input !== undefined ? { input } : {}),
      })
    ).stdout;
}

/** Polls `probe` every second until it returns true (a throw counts as false) or `timeoutMs` passed; says whether it did. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
