import { type SysboxRuntimeOptions, sysbox } from '@sandkit/runtime-sysbox';

/** One way the sysbox runtime can run its sandboxes; engine tests of that runtime run once per mode. */
export interface SystemContainerMode {
  /** Shown in test names. */
  name: string;
  /** Whether sandboxes of this mode run under a real Sysbox (user namespace, unprivileged). */
  sysbox: boolean;
  /** Options that put the runtime in this mode. */
  options: Pick<SysboxRuntimeOptions, 'allowInsecure' | 'onWarning'>;
  /** Why this mode cannot run on this engine, or `undefined` when it can. */
  skipReason: string | undefined;
}

/** Why tests that need a real Sysbox cannot run here, or `undefined` when the engine has it. */
export async function sysboxSkipReason(): Promise<string | undefined> {
  const probe = await sysbox().probe();
  return probe.available ? undefined : `needs Sysbox: ${probe.reasons.join('; ')}`;
}

const realSysboxSkip = await sysboxSkipReason();
if (realSysboxSkip && process.env.SANDKIT_TEST_REQUIRE_SYSBOX === '1') {
  // Set by CI where Sysbox is installed: there a skip would hide a broken Sysbox path.
  throw new Error(`SANDKIT_TEST_REQUIRE_SYSBOX=1 but the real-Sysbox tests cannot run: ${realSysboxSkip}`);
}
if (realSysboxSkip) console.warn(`[sysbox] skipping the real-Sysbox tests: ${realSysboxSkip}`);

/**
 * Both modes of the sysbox runtime: the insecure fallback (forced, so it is
 * tested even where Sysbox is installed) and the real Sysbox (skipped, saying
 * why, where the engine has none).
 */
export const SYSTEM_CONTAINER_MODES: readonly SystemContainerMode[] = [
  {
    name: 'insecure fallback',
    sysbox: false,
    options: { allowInsecure: 'always', onWarning: () => {} },
    skipReason: undefined,
  },
  { name: 'real Sysbox', sysbox: true, options: {}, skipReason: realSysboxSkip },
];
