import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { SandkitError } from '@sandkit/core';

/** The Kubernetes executables a node image holds. */
export const KUBERNETES_BINARIES = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kube-proxy',
  'kubectl',
  'kubeadm',
] as const;

/**
 * Copies Kubernetes executables from a directory (each as `<name>` or gzipped
 * `<name>.gz`) to `destination`, checking them against the directory's
 * `SHA256SUMS` when it has one.
 */
export async function copyKubernetesBinaries(
  source: string,
  names: readonly string[],
  destination: string,
): Promise<void> {
  const sums = await readSums(source);
  for (const name of names) {
    const target = join(destination, name);
    if (existsSync(join(source, name)))
      await pipeline(createReadStream(join(source, name)), createWriteStream(target));
    else if (existsSync(join(source, `${name}.gz`)))
      await pipeline(createReadStream(join(source, `${name}.gz`)), createGunzip(), createWriteStream(target));
    else
      throw new SandkitError(
        `No ${name} in ${source}`,
        {},
        'The directory needs each of the Kubernetes executables, plain or gzipped (.gz).',
      );
    await chmod(target, 0o755);
    const expected = sums.get(name);
    if (expected && (await sha256(target)) !== expected)
      throw new SandkitError(`${name} in ${source} does not match its SHA256SUMS entry`);
  }
}

async function readSums(dir: string): Promise<Map<string, string>> {
  const text = await readFile(join(dir, 'SHA256SUMS'), 'utf8').catch(() => '');
  return new Map(
    text
      .split('\n')
      .map((line) => /^([0-9a-f]{64})\s+\*?(\S+)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[2] as string, m[1] as string]),
  );
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
