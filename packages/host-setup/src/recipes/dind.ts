import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageRecipe } from '../images/build-offline-image.js';
import { copyHostBinaries } from '../images/copy-host-binaries.js';
import { writeRootfsDockerfile } from '../images/rootfs-dockerfile.js';
import { HOST_BUSYBOX, layBusyboxRootfs } from './busybox-rootfs.js';

const XTABLES_MODULES = '/usr/lib/x86_64-linux-gnu/xtables';

/** The command of an image whose root holds a Docker daemon. */
export const DAEMON_CMD = 'CMD ["dockerd"]';

/** Host executables (from Debian's docker.io and iptables) that make a working Docker daemon. */
export const DAEMON_BINARIES: Record<string, string> = {
  '/usr/sbin/dockerd': 'docker.io',
  '/usr/bin/docker': 'docker.io',
  '/usr/bin/docker-init': 'docker.io',
  '/usr/sbin/docker-proxy': 'docker.io',
  '/usr/bin/containerd': 'containerd',
  '/usr/bin/containerd-shim-runc-v2': 'containerd',
  '/usr/sbin/runc': 'runc',
  '/usr/sbin/xtables-legacy-multi': 'iptables',
  '/usr/sbin/xtables-nft-multi': 'iptables',
};

/**
 * (c) A Docker daemon image: the host's docker.io binaries (dockerd,
 * containerd, runc, the docker CLI, iptables) and their shared libraries on
 * static busybox. No distribution, no registry, about 200 MB.
 * `iptables` is the legacy backend, which works inside a container on any kernel.
 */
export const dindImage: ImageRecipe = {
  repository: 'sandkit/dind',
  hostFiles: { [HOST_BUSYBOX]: 'busybox-static', ...DAEMON_BINARIES },
  async prepare(dir) {
    const rootfs = join(dir, 'rootfs');
    await layDaemonRootfs(rootfs);
    await writeRootfsDockerfile(dir, [DAEMON_CMD]);
  },
};

/** Lays busybox, the Docker daemon's binaries and iptables (legacy) into `rootfs`. */
export async function layDaemonRootfs(rootfs: string): Promise<void> {
  await mkdir(rootfs);
  await layBusyboxRootfs(rootfs);
  await copyHostBinaries(rootfs, Object.keys(DAEMON_BINARIES));
  await layLegacyIptables(rootfs);
  await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\nnobody:x:65534:\ndocker:x:999:\n');
}

/**
 * Copies the host's iptables (`xtables-legacy-multi`, its extension modules and
 * their libraries) into `rootfs` and links the iptables commands to the legacy
 * backend, which works inside a container on any kernel.
 */
export async function layLegacyIptables(rootfs: string): Promise<void> {
  const modules = (await readdir(XTABLES_MODULES)).map((m) => join(XTABLES_MODULES, m));
  await copyHostBinaries(rootfs, ['/usr/sbin/xtables-legacy-multi', ...modules]);
  for (const tool of [
    'iptables',
    'iptables-save',
    'iptables-restore',
    'ip6tables',
    'ip6tables-save',
    'ip6tables-restore',
  ]) {
    await symlink('xtables-legacy-multi', join(rootfs, 'usr/sbin', tool));
  }
}
