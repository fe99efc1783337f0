import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withFileLock } from '@sandkit/core/runtime';
import { execa } from 'execa';

/** Options of {@link ensureDebianPackages}. */
export interface EnsureDebianPackagesOptions {
  /** Receives progress lines. @default no output */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** Whether this host can install Debian packages itself (Debian/Ubuntu, running as root). */
export function canInstallDebianPackages(): boolean {
  return existsSync('/etc/debian_version') && process.getuid?.() === 0;
}

/**
 * Installs the Debian packages that provide `files` when any of them is
 * missing. A no-op (no apt call) when all are present.
 * @param needs map of a required host path to the package that provides it
 * @throws Error saying what to install by hand when this host cannot install packages itself
 */
export async function ensureDebianPackages(
  needs: Record<string, string>,
  options: EnsureDebianPackagesOptions = {},
): Promise<void> {
  const missingPackages = () => [
    ...new Set(
      Object.entries(needs)
        .filter(([file]) => !existsSync(file))
        .map(([, pkg]) => pkg),
    ),
  ];
  const missing = missingPackages();
  if (missing.length === 0) return;
  if (!canInstallDebianPackages()) {
    throw new Error(
      `Missing ${missing.join(', ')} (needed for ${Object.keys(needs).join(', ')}). ` +
        `Install ${missing.length > 1 ? 'them' : 'it'} with your package manager, e.g. \`sudo apt-get install ${missing.join(' ')}\`.`,
    );
  }
  // apt takes a global lock: concurrent callers (e.g. parallel image builds) wait their turn.
  await withFileLock(join(tmpdir(), 'sandkit-locks', 'apt.lock'), async () => {
    const stillMissing = missingPackages();
    if (stillMissing.length > 0) await aptInstall(stillMissing, options);
  });
}

async function aptInstall(missing: string[], options: EnsureDebianPackagesOptions): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]) =>
    execa('apt-get', args, { env, all: true, ...(options.signal ? { cancelSignal: options.signal } : {}) });
  options.log?.(`installing ${missing.join(', ')} with apt-get`);
  try {
    await run(['install', '-y', '-q', ...missing]);
  } catch {
    // Package lists are often empty on fresh machines: refresh them once, then retry.
    options.log?.('apt-get install failed; running apt-get update first');
    await run(['update', '-q']);
    await run(['install', '-y', '-q', ...missing]);
  }
}
