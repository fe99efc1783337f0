import type { ProbeResult, Runtime } from '../runtime/runtime.js';
import type { SandboxSpec } from '../spec/sandbox-spec.js';

/** Which runtime a job gets, and why every other runtime was not chosen. */
export interface RuntimeChoice {
  /** The chosen runtime's name, or `undefined` when none fits. */
  chosen: string | undefined;
  /** Why it was chosen. */
  reasons: string[];
  /** Every runtime not chosen, with why. */
  rejected: Array<{ runtime: string; reasons: string[] }>;
}

/** A runtime with what its probe found. */
export interface Candidate {
  runtime: Pick<Runtime, 'name' | 'validate'>;
  probe: ProbeResult;
}

/**
 * Picks the runtime for a job, in the configured order: an explicitly
 * requested runtime wins; otherwise the first that is available, serves the
 * job's `docker` access, accepts its spec, and — for untrusted jobs — is not
 * insecure. Pure: probes are passed in.
 */
export function selectRuntime(
  spec: SandboxSpec,
  candidates: readonly Candidate[],
  requested?: string,
): RuntimeChoice {
  const docker = spec.docker ?? 'none';
  const trust = spec.trust ?? 'untrusted';
  const choice: RuntimeChoice = { chosen: undefined, reasons: [], rejected: [] };
  if (requested && !candidates.some((c) => c.runtime.name === requested)) {
    choice.rejected.push({
      runtime: requested,
      reasons: [
        `was requested but is not configured (configured: ${candidates.map((c) => c.runtime.name).join(', ') || 'none'})`,
      ],
    });
  }
  for (const { runtime, probe } of candidates) {
    const reject = (...reasons: string[]) => choice.rejected.push({ runtime: runtime.name, reasons });
    if (requested && runtime.name !== requested) {
      reject(`runtime "${requested}" was requested explicitly`);
      continue;
    }
    if (!probe.available) {
      reject('is not available here', ...probe.reasons);
      continue;
    }
    if (!probe.dockerAccess.includes(docker)) {
      reject(
        `serves docker: ${probe.dockerAccess.map((d) => `"${d}"`).join(', ') || 'nothing'}, but the job needs "${docker}"`,
      );
      continue;
    }
    if (probe.insecure && trust !== 'trusted') {
      reject(
        `its isolation is weaker than a container's (${probe.reasons[0] ?? 'insecure'}); only jobs with trust: "trusted" may use it`,
      );
      continue;
    }
    const issues = runtime.validate(spec);
    if (issues.length > 0) {
      reject(...issues.map((i) => `${i.path}: ${i.problem}`));
      continue;
    }
    if (choice.chosen) {
      reject(`would fit too, but "${choice.chosen}" comes first in the configured order`);
      continue;
    }
    choice.chosen = runtime.name;
    choice.reasons = [
      requested ? `requested explicitly` : `first configured runtime that fits`,
      `serves docker: "${docker}"`,
      ...(probe.insecure
        ? [`INSECURE, allowed because the job is trusted: ${probe.reasons.join('; ')}`]
        : probe.reasons),
    ];
  }
  return choice;
}
