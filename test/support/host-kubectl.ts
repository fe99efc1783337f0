import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { copyKubernetesBinaries } from '../../packages/host-setup/src/recipes/kubernetes-binaries.js';
import { KUBERNETES_BINARIES } from './kubernetes-binaries.js';
import { tempDir } from './temp-dir.js';

/** Runs kubectl on the host with its arguments (and standard input); resolves with what it printed. */
export type HostKubectl = (args: string[], input?: string) => Promise<string>;

/** kubectl on the host (from the tests' Kubernetes executables), through a cluster's kubeconfig. */
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
