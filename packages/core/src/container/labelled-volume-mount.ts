import type Dockerode from 'dockerode';

/**
 * A mount of a fresh engine volume carrying `labels`, so sweeping by label
 * finds and removes it with its sandbox (anonymous volumes would not be found).
 */
export function labelledVolumeMount(target: string, labels: Record<string, string>): Dockerode.MountSettings {
  // The typings require every VolumeOptions field; the engine needs only the labels.
  return {
    Type: 'volume',
    Source: '',
    Target: target,
    VolumeOptions: { Labels: labels },
  } as unknown as Dockerode.MountSettings;
}
