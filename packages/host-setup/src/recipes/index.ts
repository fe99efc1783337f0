import type { Engine } from '@sandkit/core';
import { ensureEngine } from '../engine/ensure-engine.js';
import { buildOfflineImage } from '../images/build-offline-image.js';
import { busyboxImage } from './busybox.js';
import { dindImage } from './dind.js';
import { httpdImage } from './httpd.js';
import { kubernetesNodeImage } from './kubernetes-node.js';
import { pauseImage } from './pause.js';

/** References of the offline-built images, by role. */
export interface OfflineImages {
  /** busybox with every applet on PATH; its default command keeps running. */
  busybox: string;
  /** busybox httpd serving a test page, with a HEALTHCHECK. */
  httpd: string;
  /** A Docker daemon image from the host's docker.io binaries (a sandbox image for `docker: 'isolated'`). */
  dind: string;
}

/** Builds (or finds already built) every offline image; no registry involved. */
export async function buildOfflineImages(
  engine: Engine,
  log: (line: string) => void,
): Promise<OfflineImages> {
  const [busybox, httpd, dind] = await Promise.all([
    buildOfflineImage(engine, busyboxImage, { log }),
    buildOfflineImage(engine, httpdImage, { log }),
    buildOfflineImage(engine, dindImage, { log }),
  ]);
  return { busybox, httpd, dind };
}

/** A Docker engine that answers (installed and started if this host can) and the offline images built on it. */
export async function prepareHost(
  log: (line: string) => void,
): Promise<{ engine: Engine; images: OfflineImages }> {
  const engine = await ensureEngine({ log });
  return { engine, images: await buildOfflineImages(engine, log) };
}

/** References of the Kubernetes node images. */
export interface KubernetesImages {
  /** A node image (see {@link kubernetesNodeImage}). */
  node: string;
  /** The pause image every Pod's sandbox runs: seed it into the nodes. */
  pause: string;
}

/**
 * Builds (or finds) the Kubernetes node and pause images from a directory of
 * Kubernetes executables (see {@link kubernetesNodeImage}); no registry involved.
 */
export async function buildKubernetesImages(
  engine: Engine,
  binaries: string,
  log: (line: string) => void,
): Promise<KubernetesImages> {
  const [node, pause] = await Promise.all([
    buildOfflineImage(engine, kubernetesNodeImage(binaries), { log }),
    buildOfflineImage(engine, pauseImage(binaries), { log }),
  ]);
  return { node, pause };
}
