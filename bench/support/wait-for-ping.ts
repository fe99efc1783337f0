import type Dockerode from 'dockerode';

/** Waits until a Docker daemon answers `/_ping`, polling every 25 ms. */
export async function waitForPing(client: Dockerode): Promise<void> {
  for (;;) {
    if (
      await client.ping().then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 25));
  }
}
