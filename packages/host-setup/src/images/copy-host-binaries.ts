import { copyFile, mkdir, readlink, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

/**
 * Copies host executables into a root file system together with every shared
 * library they load (as `ldd` resolves them, the dynamic loader included), at
 * the same paths, so they run in an image with no distribution of its own.
 * @param rootfs directory that becomes the image's `/`
 * @param binaries absolute host paths of executables or shared objects
 */
export async function copyHostBinaries(rootfs: string, binaries: readonly string[]): Promise<void> {
  const libraries = new Set<string>();
  for (const binary of binaries) {
    for (const library of await sharedLibraries(binary)) libraries.add(library);
  }
  for (const file of [...binaries, ...libraries]) await copyPreservingLinks(file, rootfs);
}

/** Absolute paths of the shared libraries `ldd` says a binary loads (empty for static binaries). */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout, exitCode } = await execa('ldd', [binary], { reject: false });
  if (exitCode !== 0) return []; // "not a dynamic executable"
  return [...stdout.matchAll(/(\/\S+) \(0x/g)].map((m) => m[1] as string);
}

/** Copies a host file to the same path under rootfs; a symlink is copied as a link plus its target. */
async function copyPreservingLinks(file: string, rootfs: string): Promise<void> {
  const destination = join(rootfs, file);
  await mkdir(dirname(destination), { recursive: true });
  let target: string | undefined;
  try {
    target = await readlink(file);
  } catch {
    target = undefined;
  }
  if (target === undefined) {
    await copyFile(file, destination);
    return;
  }
  await symlink(target, destination).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await copyPreservingLinks(target.startsWith('/') ? target : join(dirname(file), target), rootfs);
}
