import { type Runtime, Sandkit } from '@sandkit/core';
import { socket } from '@sandkit/runtime-socket';
import { sysbox } from '@sandkit/runtime-sysbox';
import type { Reporter } from './output/reporter.js';

/** Options every command that creates sandboxes shares. */
export interface RuntimeFlags {
  allowInsecure?: boolean;
  seedStore?: string;
}

/** The runtimes the CLI offers, in order of preference: system containers, then sibling containers. */
export function cliRuntimes(flags: RuntimeFlags, reporter: Reporter): Runtime[] {
  const onWarning = (message: string) => reporter.warn(message.replace(/^\[sandkit\] WARNING: /, ''));
  return [
    sysbox({
      allowInsecure: flags.allowInsecure === true,
      onWarning,
      ...(flags.seedStore ? { seedStore: flags.seedStore } : {}),
    }),
    socket({ onWarning }),
  ];
}

/** A Sandkit over the CLI's runtimes. */
export function cliSandkit(flags: RuntimeFlags, reporter: Reporter): Sandkit {
  return new Sandkit({ runtimes: cliRuntimes(flags, reporter) });
}
