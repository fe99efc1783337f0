import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The search path of every offline image. */
const PATH_ENV = 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Writes the Dockerfile of an offline image whose `rootfs/` (next to it in
 * `dir`) is its whole root: `FROM scratch`, that root, the usual `PATH`
 * (unless `path: false`), then `instructions` (CMD, EXPOSE, HEALTHCHECK…).
 */
export function writeRootfsDockerfile(
  dir: string,
  instructions: readonly string[] = [],
  { path = true }: { path?: boolean } = {},
): Promise<void> {
  return writeFile(
    join(dir, 'Dockerfile'),
    ['FROM scratch', 'COPY rootfs/ /', ...(path ? [PATH_ENV] : []), ...instructions, ''].join('\n'),
  );
}
