import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchesFilter, type SweepFilter } from '../labels/label-filter.js';
import { hostPathsFromLabels, hostPathsLabel, removeHostPaths } from './host-paths.js';

/**
 * Where sandkit notes the host paths of each sandbox *before* it creates them
 * (one file per sandbox). The container's labels name them too, but a process
 * killed between creating a path and creating the container leaves a path no
 * label names: the journal is how the watchdog, a session sweep and `gc` find it.
 * @default `<os tmpdir>/sandkit-journal`, or `SANDKIT_JOURNAL_DIR`
 */
export function journalDir(): string {
  return process.env.SANDKIT_JOURNAL_DIR ?? join(tmpdir(), 'sandkit-journal');
}

/**
 * Notes host paths a sandbox is about to create, with the sandbox's labels
 * (session, sandbox, runtime, owner), so sweeps select them as they select
 * engine objects. Adds to what is already noted for the sandbox.
 */
export async function journalHostPaths(
  labels: Record<string, string>,
  sandboxId: string,
  paths: readonly string[],
): Promise<void> {
  const dir = journalDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${sandboxId}.json`);
  const known = hostPathsFromLabels(await readEntry(file));
  const entry = { ...labels, ...hostPathsLabel([...new Set([...known, ...paths])]) };
  // Written whole and renamed, so a reader (or a crash) never sees half an entry.
  const partial = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(partial, JSON.stringify(entry), { mode: 0o600 });
  await rename(partial, file);
}

/** Forgets a sandbox's entry once its paths are gone. */
export async function forgetHostPaths(sandboxId: string): Promise<void> {
  await rm(join(journalDir(), `${sandboxId}.json`), { force: true });
}

/**
 * Removes the noted host paths of every sandbox the filter selects (by the
 * labels noted with them: session, sandbox, runtime, dead owner), then their
 * entries. Only paths sandkit could have made are ever removed.
 * @returns the paths removed
 */
export async function sweepJournal(filter: SweepFilter): Promise<string[]> {
  const dir = journalDir();
  const removed: string[] = [];
  // A sandbox's entry is named after it: destroying one sandbox reads one file, not the whole journal.
  const names =
    filter.sandbox && /^[\w-]+$/.test(filter.sandbox)
      ? [`${filter.sandbox}.json`]
      : await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const file = join(dir, name);
    const labels = await readEntry(file);
    if (!labels || !matchesFilter(labels, filter)) continue;
    const paths = hostPathsFromLabels(labels);
    await removeHostPaths(paths);
    await rm(file, { force: true });
    removed.push(...paths);
  }
  return removed;
}

async function readEntry(file: string): Promise<Record<string, string> | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}
