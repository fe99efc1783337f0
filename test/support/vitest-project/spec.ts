import type { SandboxSpec } from '@sandkit/core';

/** The image comes from the outer test. */
export const spec: SandboxSpec = {
  image: process.env.SANDKIT_VITEST_IMAGE ?? 'busybox',
  pull: 'never',
  cmd: ['sh', '-c', 'echo said by the sandbox at start; exec sleep 3600'],
};
