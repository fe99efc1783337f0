// Races another process to build the same golden (test/integration/seed).
import { appendFileSync } from 'node:fs';
import { detectSeedStore, ensureGolden } from '@sandkit/runtime-sysbox';

const [storeRoot, key, log] = process.argv.slice(2);
const store = await detectSeedStore(storeRoot);
const result = await ensureGolden(store, key, async (dir) => {
  appendFileSync(log, `built by ${process.pid}\n`);
  appendFileSync(`${dir}/content`, 'golden');
  await new Promise((r) => setTimeout(r, 1_000));
});
console.log(JSON.stringify(result));
