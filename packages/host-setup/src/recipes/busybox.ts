import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageRecipe } from '../images/build-offline-image.js';
import { writeRootfsDockerfile } from '../images/rootfs-dockerfile.js';
import { HOST_BUSYBOX, layBusyboxRootfs } from './busybox-rootfs.js';

/** (a) busybox with every applet on PATH; its default command keeps the container running. */
export const busyboxImage: ImageRecipe = {
  repository: 'sandkit/busybox',
  hostFiles: { [HOST_BUSYBOX]: 'busybox-static' },
  async prepare(dir) {
    await mkdir(join(dir, 'rootfs'));
    await layBusyboxRootfs(join(dir, 'rootfs'));
    await writeRootfsDockerfile(dir, ['CMD ["sleep", "infinity"]']);
  },
};
