import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { execa } from 'execa';
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
  const binary = join(dir, 'kubectl');
  if (existsSync(join(KUBERNETES_BINARIES, 'kubectl')))
    await pipeline(createReadStream(join(KUBERNETES_BINARIES, 'kubectl')), createWriteStream(binary));
  else
    await pipeline(
      createReadStream(join(KUBERNETES_BINARIES, 'kubectl.gz')),
      createGunzip(),
      createWriteStream(binary),
    );
  await chmod(binary, 0o755);
  await writeFile(join(dir, 'kubeconfig'), kubeconfig);
  return async (args, input) =>
    (
      await execa(binary, [`--kubeconfig=${join(dir, 'kubeconfig')}`, ...args], {
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
