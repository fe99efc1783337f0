import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageRecipe } from '../images/build-offline-image.js';
import { writeRootfsDockerfile } from '../images/rootfs-dockerfile.js';
import { HOST_BUSYBOX, layBusyboxRootfs } from './busybox-rootfs.js';

/** The page the httpd image serves at `/`. */
export const HTTPD_PAGE = '<h1>sandkit test page</h1>\n';
/** Port the httpd image listens on. */
export const HTTPD_PORT = 8080;

/** (b) busybox httpd serving {@link HTTPD_PAGE} on {@link HTTPD_PORT}, with a HEALTHCHECK. */
export const httpdImage: ImageRecipe = {
  repository: 'sandkit/httpd',
  hostFiles: { [HOST_BUSYBOX]: 'busybox-static' },
  async prepare(dir) {
    await mkdir(join(dir, 'rootfs/www'), { recursive: true });
    await layBusyboxRootfs(join(dir, 'rootfs'));
    await writeFile(join(dir, 'rootfs/www/index.html'), HTTPD_PAGE);
    await writeRootfsDockerfile(dir, [
      `EXPOSE ${HTTPD_PORT}`,
      `HEALTHCHECK --interval=500ms --timeout=2s --retries=20 CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:${HTTPD_PORT}/"]`,
      `CMD ["httpd", "-f", "-v", "-p", "${HTTPD_PORT}", "-h", "/www"]`,
    ]);
  },
};
