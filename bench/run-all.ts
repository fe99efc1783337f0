/** Runs every benchmark in sequence (`pnpm bench`); each prints a table and a BENCH_JSON line. */
import { execa } from 'execa';

const BENCHMARKS = [
  'exec-overhead.ts',
  'create-overhead.ts',
  'pool-acquire.ts',
  'inner-daemon-start.ts',
  'seed-start.ts',
  'sysbox-seed-start.ts',
  'cluster-start.ts',
  'proxy-overhead.ts',
];

for (const file of BENCHMARKS) {
  await execa('tsx', [new URL(file, import.meta.url).pathname], { stdio: 'inherit', preferLocal: true });
}
