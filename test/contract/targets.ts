import type { DockerAccess, Engine, Runtime, SandboxSpec, Session } from '@sandkit/core';
import type { OfflineImages } from '@sandkit/host-setup';
import { socket } from '@sandkit/runtime-socket';
import { sysbox } from '@sandkit/runtime-sysbox';
import { sysboxSkipReason } from '../support/system-container-modes.js';
import { throughSandkit } from './through-sandkit.js';

/** One runtime configuration the contract suite runs against. */
export interface ContractTarget {
  /** Shown in test names. */
  name: string;
  /** The `docker` access mode its sandboxes get. */
  docker: DockerAccess;
  /** A runtime whose objects carry `session`, on `engine` when given (else the one the docker CLI would use). */
  runtime(session: Session, engine?: Engine): Runtime;
  /**
   * The base spec of a sandbox on this target; its image must have busybox applets on PATH
   * and a default command that keeps running.
   */
  spec(images: OfflineImages): SandboxSpec;
  /** Resolves to a reason when this target cannot run on this engine (only Sysbox targets may skip). */
  skipReason(): Promise<string | undefined>;
  /**
   * Its session's network stays between sandboxes (a `Sandkit` keeps it until it closes), so
   * "nothing left" after a sandbox is gone means nothing but that network.
   * @default false
   */
  keepsSessionNetwork?: boolean;
}

/** Every runtime configuration; a new backend or mode adds itself here. */
export const CONTRACT_TARGETS: ContractTarget[] = [
  {
    name: 'socket runtime, docker: none',
    docker: 'none',
    runtime: (session, engine) => socket({ session, ...(engine ? { engine } : {}) }),
    spec: (images) => ({ image: images.busybox, pull: 'never', docker: 'none' }),
    skipReason: async () => undefined,
  },
  {
    name: 'Sandkit over both runtimes, docker: none',
    docker: 'none',
    runtime: (session, engine) => {
      const on = engine ? { engine } : {};
      const chosen = socket({ session, ...on });
      return throughSandkit(
        session,
        [sysbox({ session, allowInsecure: 'always', onWarning: () => {}, ...on }), chosen],
        chosen,
      );
    },
    spec: (images) => ({ image: images.busybox, pull: 'never', docker: 'none' }),
    skipReason: async () => undefined,
    keepsSessionNetwork: true,
  },
  {
    name: 'socket runtime, docker: shared (guarded)',
    docker: 'shared',
    runtime: (session, engine) => socket({ session, ...(engine ? { engine } : {}) }),
    spec: (images) => ({ image: images.dind, pull: 'never', docker: 'shared', cmd: ['sleep', 'infinity'] }),
    skipReason: async () => undefined,
  },
  {
    name: 'sysbox runtime, insecure fallback, docker: isolated',
    docker: 'isolated',
    runtime: (session, engine) =>
      sysbox({ session, allowInsecure: 'always', onWarning: () => {}, ...(engine ? { engine } : {}) }),
    spec: (images) => ({ image: images.dind, pull: 'never', docker: 'isolated' }),
    skipReason: async () => undefined,
  },
  {
    name: 'sysbox runtime under Sysbox, docker: isolated',
    docker: 'isolated',
    runtime: (session, engine) => sysbox({ session, ...(engine ? { engine } : {}) }),
    spec: (images) => ({ image: images.dind, pull: 'never', docker: 'isolated' }),
    skipReason: sysboxSkipReason,
  },
];
