import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '@sandkit/core';
import { unixSocketClient } from '@sandkit/core/runtime';
import { detectPrivilegeMode } from '@sandkit/runtime-sysbox';
import type Dockerode from 'dockerode';
import {
  privilegedHostConfig,
  REMOUNT_CGROUPS_RW,
} from '../../packages/runtime-sysbox/src/fallback/privileged-host-config.js';
import { waitForPing } from './wait-for-ping.js';

/** A naive swarm cluster as CI scripts make one: privileged dind containers, each loading the images. */
export interface NaiveCluster {
  /** Removes every container, its volume, the network and the socket directories. */
  remove(): Promise<void>;
}

let made = 0;

/**
 * N privileged(-equivalent) `dockerd` containers on a network of their own,
 * each with an anonymous volume at /var/lib/docker (as `docker:dind` declares),
 * each sent every image by its own `docker save | docker load`, then one
 * `swarm init` and N-1 `swarm join`s, done when every node is Ready.
 */
export async function naiveDindCluster(args: {
  engine: Engine;
  image: string;
  seed: readonly string[];
  nodes: number;
  labels: Record<string, string>;
  socketRoot: string;
}): Promise<NaiveCluster> {
  const { engine, labels } = args;
  const mode = await detectPrivilegeMode(engine);
  const id = `${process.pid}-${made++}`;
  const network = await engine.docker.createNetwork({ Name: `naive-cluster-${id}`, Labels: labels });
  const containers: Dockerode.Container[] = [];
  const dirs: string[] = [];
  const remove = async () => {
    await Promise.all(containers.map((c) => c.remove({ force: true, v: true }).catch(() => {})));
    await network.remove().catch(() => {});
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  };
  try {
    const nodes = await Promise.all(
      Array.from({ length: args.nodes }, async (_, i) => {
        const dir = join(args.socketRoot, `${id}-${i}`);
        dirs.push(dir);
        await mkdir(dir, { recursive: true });
        const container = await engine.docker.createContainer({
          Image: args.image,
          Labels: labels,
          Hostname: `node-${i + 1}`,
          Entrypoint: ['/bin/sh', '-c'],
          Cmd: [
            `${mode.kind === 'privileged' ? '' : `${REMOUNT_CGROUPS_RW}\n`}exec dockerd --host=unix:///run/bench/docker.sock --storage-driver=overlay2`,
          ],
          HostConfig: {
            ...privilegedHostConfig(mode),
            NetworkMode: network.id,
            Binds: [`${dir}:/run/bench`],
            // An anonymous volume (no source), removed with the container.
            Mounts: [{ Type: 'volume', Source: '', Target: '/var/lib/docker' }],
          },
        });
        containers.push(container);
        await container.start();
        const inner = unixSocketClient(join(dir, 'docker.sock'));
        await waitForPing(inner);
        for (const ref of args.seed) await loadInto(inner, await engine.docker.getImage(ref).get());
        const info = await container.inspect();
        const address = (Object.values(info.NetworkSettings.Networks)[0] as { IPAddress: string }).IPAddress;
        return { inner, address };
      }),
    );
    const [manager, ...workers] = nodes as [(typeof nodes)[0], ...typeof nodes];
    await manager.inner.swarmInit({ ListenAddr: `${manager.address}:2377`, AdvertiseAddr: manager.address });
    const swarm = (await manager.inner.swarmInspect()) as { JoinTokens: { Worker: string } };
    await Promise.all(
      workers.map((w) =>
        w.inner.swarmJoin({
          ListenAddr: `${w.address}:2377`,
          AdvertiseAddr: w.address,
          RemoteAddrs: [`${manager.address}:2377`],
          JoinToken: swarm.JoinTokens.Worker,
        }),
      ),
    );
    for (;;) {
      const listed = (await manager.inner.listNodes()) as Array<{ Status: { State: string } }>;
      if (listed.length === args.nodes && listed.every((n) => n.Status.State === 'ready')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return { remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

function loadInto(inner: Dockerode, archive: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) =>
    inner.loadImage(archive, (error: Error | null, stream: NodeJS.ReadableStream) => {
      if (error) return reject(error);
      inner.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve()));
    }),
  );
}
