import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageRecipe } from '../images/build-offline-image.js';
import { writeRootfsDockerfile } from '../images/rootfs-dockerfile.js';
import { copyKubernetesBinaries } from './kubernetes-binaries.js';

/**
 * Kubernetes' pause image (every Pod's sandbox container), from a static
 * `pause` in `binaries` (see {@link kubernetesNodeImage}).
 */
export function pauseImage(binaries: string): ImageRecipe {
  return {
    repository: 'sandkit/pause',
    async prepare(dir) {
      await mkdir(join(dir, 'rootfs'));
      await copyKubernetesBinaries(binaries, ['pause'], join(dir, 'rootfs'));
      await writeRootfsDockerfile(dir, ['ENTRYPOINT ["/pause"]'], { path: false });
    },
  };
}
