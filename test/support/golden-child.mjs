// Builds a golden (test/integration/seed): races another process to build the same one, or is
// killed mid-build. Prints "building" once its build has started, and the result when done.
import { appendFileSync } from 'node:fs';
import { detectSeedStore } from '@sandkit/runtime-sysbox';
// Plain node runs this file: the built golden store, not its TypeScript source.
import { ensureGolden } from '../../packages/runtime-sysbox/dist/seed/golden-store.js';

const [storeRoot, key, log, buildMs = '1000'] = process.argv.slice(2);
const store = await detectSeedStore(storeRoot);
const result = await ensureGolden(store, key, async (dir) => {
  appendFileSync(log, `built by ${process.pid}\n`);
  appendFileSync(`${dir}/content`, 'golden');
  console.log('building');
  await new Promise((r) => setTimeout(r, Number(buildMs)));
});
console.log(JSON.stringify(result));
