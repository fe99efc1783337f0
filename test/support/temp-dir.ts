import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { inject } from 'vitest';

/** A fresh directory under this test run's temporary root, which global setup removes after the run. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(inject('tempRoot'), prefix));
}
