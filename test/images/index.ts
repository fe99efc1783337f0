import type { Engine } from '@sandkit/core';
import { buildOfflineImage } from '@sandkit/host-setup';
import { busyboxImage } from './busybox.js';
import { dindImage } from './dind.js';
import { httpdImage } from './httpd.js';

/** References of the offline-built test images, by role. */
export interface TestImages {
  busybox: string;
  httpd: string;
  dind: string;
}

/** Builds (or finds already built) every test image; no registry involved. */
export async function buildTestImages(engine: Engine, log: (line: string) => void): Promise<TestImages> {
  const [busybox, httpd, dind] = await Promise.all([
    buildOfflineImage(engine, busyboxImage, { log }),
    buildOfflineImage(engine, httpdImage, { log }),
    buildOfflineImage(engine, dindImage, { log }),
  ]);
  return { busybox, httpd, dind };
}
