import { createHash } from 'node:crypto';

/** Everything that changes the on-disk form of a golden data root. */
export interface GoldenInputs {
  /** Seed images: each reference with the image ID it resolves to on the host. */
  images: Array<{ ref: string; id: string }>;
  /** ID of the sandbox image, which fixes the inner daemon's version. */
  daemonImageId: string;
  /** The inner daemon's storage driver. */
  storageDriver: string;
  /** Whether the inner daemon runs in a user namespace (Sysbox) or not (fallback). */
  userNamespace: boolean;
}

/** Content address of a golden: a sha256 over its inputs, independent of their order. */
export function goldenKey(inputs: GoldenInputs): string {
  const images = [...inputs.images].sort((a, b) => a.ref.localeCompare(b.ref)).map((i) => `${i.ref}@${i.id}`);
  return createHash('sha256')
    .update(
      JSON.stringify({
        v: 1,
        images,
        daemon: inputs.daemonImageId,
        driver: inputs.storageDriver,
        userns: inputs.userNamespace,
      }),
    )
    .digest('hex');
}
