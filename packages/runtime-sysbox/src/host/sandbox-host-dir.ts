import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The per-sandbox host directory (`<stateDir>/<sandboxId>`), bind-mounted into
 * the sandbox, where its inner daemon's socket appears on the host. Only
 * root may enter it: the socket is root on that daemon.
 */
export async function createSandboxHostDir(stateDir: string, sandboxId: string): Promise<string> {
  const dir = join(stateDir, sandboxId);
  await mkdir(stateDir, { recursive: true, mode: 0o711 });
  await mkdir(dir, { mode: 0o700 });
  return dir;
}
