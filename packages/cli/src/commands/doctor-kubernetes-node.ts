import { type Engine, Sandkit } from '@sandkit/core';
import { buildOfflineImages } from '@sandkit/host-setup';
import { checkKubernetesNode, sysbox } from '@sandkit/runtime-sysbox';
import type { DoctorCheck } from './doctor.js';

const CHECK = 'kubernetes node';

/**
 * Starts one system container of the `kubernetes-node` profile (under Sysbox,
 * or on the insecure fallback when allowed and Sysbox is missing) and checks
 * inside it what a kubelet needs. Removes it (a watchdog does if doctor is killed).
 */
export async function kubernetesNodeCheck(
  engine: Engine,
  options: { allowInsecure?: boolean; seedStore?: string },
): Promise<DoctorCheck> {
  const runtime = sysbox({
    engine,
    allowInsecure: options.allowInsecure === true,
    onWarning: () => {},
    ...(options.seedStore ? { seedStore: options.seedStore } : {}),
  });
  const probe = await runtime.probe();
  if (!probe.available)
    return {
      check: CHECK,
      status: 'warn',
      detail: 'not checked: no Sysbox, and the insecure fallback was not allowed',
      next: 'install Sysbox, or check the fallback with `sandkit doctor --allow-insecure`',
    };
  const where = probe.insecure ? 'on the insecure fallback' : 'under Sysbox';
  try {
    const images = await buildOfflineImages(engine, () => {});
    await using sk = new Sandkit({ runtimes: [runtime] });
    await using node = await sk.create(
      { image: images.dind, pull: 'never', docker: 'isolated', profile: 'kubernetes-node', trust: 'trusted' },
      { timeoutMs: 120_000 },
    );
    const requirements = await checkKubernetesNode(node);
    const unmet = requirements.filter((r) => !r.ok);
    if (unmet.length > 0)
      return {
        check: CHECK,
        status: 'fail',
        detail: `a node ${where} lacks ${unmet.map((r) => `${r.requirement} (${r.detail})`).join('; ')}`,
        next: 'see "The kubernetes-node profile" in docs/clusters.md',
      };
    return {
      check: CHECK,
      status: 'pass',
      detail: `a node ${where} has what a kubelet needs: ${requirements.map((r) => r.requirement).join(', ')}`,
    };
  } catch (error) {
    return {
      check: CHECK,
      status: 'fail',
      detail: `a node ${where} could not be started: ${(error as Error).message.split('\n')[0]}`,
      next: 'run `sandkit setup`, then `sandkit doctor` again',
    };
  }
}
