import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Engine } from '@sandkit/core';
import { currentOwner, ignoreMissing, LABEL, LINUX_CAPABILITIES } from '@sandkit/core/runtime';
import type Dockerode from 'dockerode';
import { ensureProbeImage } from './probe-image.js';

/** How the insecure fallback gets privileged-equivalent rights on an engine. */
export type PrivilegeMode =
  /** `Privileged: true` works. */
  | { kind: 'privileged' }
  /**
   * `Privileged: true` fails (the engine cannot grant some capability, e.g. its
   * bounding set lacks CAP_SYS_RESOURCE); use these capabilities explicitly,
   * unconfined seccomp/AppArmor, and remount cgroup v1 read-write inside.
   */
  | { kind: 'explicit-capabilities'; capAdd: string[]; unavailable: string[] };

/** Security options that go with an explicit capability set. */
export const UNCONFINED_SECURITY_OPTS = ['seccomp=unconfined', 'apparmor=unconfined', 'label=disable'];

const cache = new Map<string, Promise<PrivilegeMode>>();

/**
 * Asks the engine whether it can start
 * privileged containers, and if not which capabilities it can grant. Each
 * question is a container of an empty image whose entrypoint does not exist:
 * the runtime applies capabilities before it looks for the entrypoint, so the
 * start error says which failed. Nothing runs; every probe container is removed.
 *
 * The answer (a few seconds of probing) is kept per engine address in this
 * process and on disk per engine identity, version and kernel, so other
 * processes reuse it.
 */
export function detectPrivilegeMode(engine: Engine): Promise<PrivilegeMode> {
  let detection = cache.get(engine.address);
  if (!detection) {
    detection = cachedOnDisk(engine, () => detect(engine));
    cache.set(engine.address, detection);
    detection.catch(() => cache.delete(engine.address));
  }
  return detection;
}

async function cachedOnDisk(engine: Engine, compute: () => Promise<PrivilegeMode>): Promise<PrivilegeMode> {
  const info = await engine.docker.info();
  const key = createHash('sha256')
    .update(`${info.ID}\0${info.ServerVersion}\0${info.KernelVersion}`)
    .digest('hex')
    .slice(0, 24);
  const file = join(tmpdir(), 'sandkit-cache', `privilege-mode-${key}.json`);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as PrivilegeMode;
  } catch {
    const mode = await compute();
    await mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(mode));
    await rename(temporary, file);
    return mode;
  }
}

async function detect(engine: Engine): Promise<PrivilegeMode> {
  const image = await ensureProbeImage(engine);
  if ((await tryStart(engine, image, { Privileged: true })).ok) return { kind: 'privileged' };

  // Drop capabilities the engine does not know by name (older engines lack BPF, PERFMON, …).
  const known: string[] = [];
  const unknown: string[] = [];
  let candidates: string[] = [...LINUX_CAPABILITIES];
  for (;;) {
    const outcome = await tryStart(engine, image, {
      CapAdd: candidates,
      SecurityOpt: UNCONFINED_SECURITY_OPTS,
    });
    if (!outcome.unknownCapability) break;
    unknown.push(outcome.unknownCapability);
    candidates = candidates.filter(
      (c) => `CAP_${c}` !== outcome.unknownCapability && c !== outcome.unknownCapability,
    );
  }
  known.push(...candidates);
  const refused = await findRefused(engine, image, known);
  return {
    kind: 'explicit-capabilities',
    capAdd: known.filter((c) => !refused.includes(c)),
    unavailable: [...refused, ...unknown.map((c) => c.replace(/^CAP_/, ''))],
  };
}

/** Group testing: the capabilities in `caps` that the engine cannot apply. */
async function findRefused(engine: Engine, image: string, caps: string[]): Promise<string[]> {
  if (caps.length === 0) return [];
  const outcome = await tryStart(engine, image, { CapAdd: caps, SecurityOpt: UNCONFINED_SECURITY_OPTS });
  if (outcome.ok) return [];
  if (caps.length === 1) return caps;
  const middle = Math.ceil(caps.length / 2);
  return [
    ...(await findRefused(engine, image, caps.slice(0, middle))),
    ...(await findRefused(engine, image, caps.slice(middle))),
  ];
}

interface Outcome {
  /** The capabilities were applied (the start then failed only for the missing entrypoint). */
  ok: boolean;
  /** A capability name the engine rejected as unknown at create time. */
  unknownCapability?: string;
}

async function tryStart(engine: Engine, image: string, hostConfig: Dockerode.HostConfig): Promise<Outcome> {
  let container: Dockerode.Container;
  try {
    container = await engine.docker.createContainer({
      Image: image,
      // The owner label lets the orphan sweep remove a probe container whose prober was killed mid-probe.
      Labels: { [LABEL.managed]: 'true', [LABEL.runtime]: 'sysbox-probe', [LABEL.owner]: currentOwner() },
      HostConfig: { NetworkMode: 'none', ...hostConfig },
    });
  } catch (error) {
    const unknown = /unknown capability: "?([A-Z_]+)"?/.exec(String((error as Error).message))?.[1];
    if (unknown) return { ok: false, unknownCapability: unknown };
    throw error;
  }
  try {
    await container.start();
    return { ok: true };
  } catch (error) {
    const message = String((error as Error).message);
    if (/apply caps|operation not permitted/.test(message)) return { ok: false };
    if (/no such file|not found|nonexistent/i.test(message)) return { ok: true };
    throw error;
  } finally {
    await ignoreMissing(container.remove({ force: true }));
  }
}
