import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One row of a benchmark table: a named measurement and its figures. */
export type BenchRow = Record<string, string | number>;

/** Summary statistics of a sample of durations in milliseconds. */
export function summarize(samples: number[]): { n: number; p50: number; p95: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return { n: sorted.length, p50: round(at(0.5)), p95: round(at(0.95)), mean: round(mean) };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Prints a benchmark's rows as a table and as one JSON line (prefixed `BENCH_JSON`),
 * and writes the JSON to `bench/results/<name>.json`.
 */
export function report(name: string, rows: BenchRow[], notes: Record<string, unknown> = {}): void {
  const result = { benchmark: name, at: new Date().toISOString(), ...notes, rows };
  console.log(`\n== ${name} ==`);
  console.table(rows);
  console.log(`BENCH_JSON ${JSON.stringify(result)}`);
  const dir = join(import.meta.dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

/** Runs `work` and returns its value with how long it took, in milliseconds. */
export async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const value = await work();
  return [value, performance.now() - t];
}
