import { SandkitError, type SandkitErrorContext } from '../../../errors/sandkit-error.js';

/**
 * A step of the kubeadm preset failed on a node (`kubeadm init`, `kubeadm
 * join`, preparing the node, …). The message carries what the step printed
 * and, where it helps, the end of the node's kubelet log.
 */
export class KubeadmStepFailedError extends SandkitError {
  static override readonly code: string = 'SANDKIT_KUBEADM_STEP_FAILED';
  /** The node the step ran on, e.g. `worker-1`. */
  readonly node: string;
  /** What the step does, e.g. `kubeadm init`. */
  readonly step: string;
  /** The step's exit code, or `undefined` when it did not exit (e.g. a deadline passed). */
  readonly exitCode: number | undefined;

  constructor(
    context: SandkitErrorContext & { node: string; step: string; exitCode?: number },
    details: string,
  ) {
    const { node, step, exitCode, ...rest } = context;
    super(
      `${step} failed on ${node}${exitCode === undefined ? '' : ` (exit code ${exitCode})`}`,
      rest,
      details,
    );
    this.node = node;
    this.step = step;
    this.exitCode = exitCode;
  }
}
