import type { Engine } from './engine.js';

/** Facts about an engine for `probe()` output: versions, kernel, storage, cgroups, OCI runtimes. */
export async function describeEngine(engine: Engine): Promise<Record<string, string>> {
  const [info, version] = await Promise.all([engine.docker.info(), engine.docker.version()]);
  return {
    engine: `${engine.address} (${engine.source})`,
    engineVersion: String(version.Version),
    apiVersion: String(version.ApiVersion),
    kernel: String(info.KernelVersion),
    os: String(info.OperatingSystem),
    storageDriver: String(info.Driver),
    cgroupVersion: String(info.CgroupVersion ?? '1'),
    cgroupDriver: String(info.CgroupDriver),
    runtimes: Object.keys(info.Runtimes ?? {}).join(', '),
  };
}
