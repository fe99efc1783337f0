import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageRecipe } from '../images/build-offline-image.js';
import { HOST_BUSYBOX, layBusyboxRootfs } from './busybox-rootfs.js';

/** (a) busybox with every applet on PATH; its default command keeps the container running. */
export const busyboxImage: ImageRecipe = {
  repository: 'sandkit/busybox',
  hostFiles: { [HOST_BUSYBOX]: 'busybox-static' },
  async prepare(dir) {
    await mkdir(join(dir, 'rootfs'));
    await layBusyboxRootfs(join(dir, 'rootfs'));
    await writeFile(
      join(dir, 'Dockerfile'),
      [
        'FROM scratch',
        'COPY rootfs/ /',
        'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'CMD ["sleep", "infinity"]',
        '',
      ].join('\n'),
    );
  },
};
