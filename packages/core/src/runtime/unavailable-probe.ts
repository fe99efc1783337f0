import type { ProbeResult } from './runtime.js';

/** The probe result of a runtime that cannot create sandboxes here, with why. */
export function unavailableProbe(
  runtime: string,
  reasons: string[],
  facts: Record<string, string> = {},
): ProbeResult {
  return { runtime, available: false, reasons, dockerAccess: [], insecure: false, facts };
}
