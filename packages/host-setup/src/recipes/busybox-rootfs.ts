import { chmod, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/** Host path of Debian's statically linked busybox (package `busybox-static`). */
export const HOST_BUSYBOX = '/bin/busybox';

/**
 * Lays a minimal root file system into `rootfs`: static busybox with every
 * applet linked in /bin, root and nobody users, and a world-writable /tmp.
 */
export async function layBusyboxRootfs(rootfs: string): Promise<void> {
  for (const dir of ['bin', 'etc', 'root', 'tmp', 'var/run', 'run', 'proc', 'sys', 'dev']) {
    await mkdir(join(rootfs, dir), { recursive: true });
  }
  await chmod(join(rootfs, 'tmp'), 0o1777);
  await copyFile(HOST_BUSYBOX, join(rootfs, 'bin/busybox'));
  await chmod(join(rootfs, 'bin/busybox'), 0o755);
  const { stdout } = await execa(HOST_BUSYBOX, ['--list']);
  for (const applet of stdout.split('\n').filter((a) => a && a !== 'busybox')) {
    await symlink('busybox', join(rootfs, 'bin', applet));
  }
  await writeFile(
    join(rootfs, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  );
  await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\nnobody:x:65534:\n');
}
