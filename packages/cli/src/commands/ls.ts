import { connectEngine, engineLabelFilters, isOwnerDead, LABEL } from '@sandkit/core/runtime';
import { outputMode } from '../output/reporter.js';

/** A live sandbox as `sandkit ls` shows it. */
export interface ListedSandbox {
  sandbox: string;
  session: string;
  runtime: string;
  image: string;
  state: string;
  owner: string;
  ownerAlive: boolean;
  /** When the sandbox container was created (ISO 8601). */
  createdAt: string;
  expiresAt?: string;
}

/** Every sandkit sandbox on the engine (its main container), by session. */
export async function listSandboxes(): Promise<ListedSandbox[]> {
  const { docker } = await connectEngine();
  const containers = await docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: engineLabelFilters({}) }),
  });
  return containers
    .filter((c) => c.Names.some((n) => n === `/sandkit-${c.Labels[LABEL.sandbox]}`))
    .map((c) => {
      const expires = Number(c.Labels[LABEL.expiresAt]);
      return {
        sandbox: c.Labels[LABEL.sandbox] ?? '',
        session: c.Labels[LABEL.session] ?? '',
        runtime: c.Labels[LABEL.runtime] ?? '',
        image: c.Image,
        state: c.State,
        owner: c.Labels[LABEL.owner] ?? '',
        ownerAlive: !isOwnerDead(c.Labels[LABEL.owner]),
        createdAt: new Date(c.Created * 1000).toISOString(),
        ...(Number.isFinite(expires) ? { expiresAt: new Date(expires).toISOString() } : {}),
      };
    })
    .sort((a, b) => a.session.localeCompare(b.session) || a.sandbox.localeCompare(b.sandbox));
}

/** `sandkit ls` */
export async function lsCommand(options: { json?: boolean }): Promise<number> {
  const sandboxes = await listSandboxes();
  if (outputMode(options.json) === 'json') {
    process.stdout.write(`${JSON.stringify({ sandboxes }, null, 2)}\n`);
    return 0;
  }
  if (sandboxes.length === 0) {
    process.stdout.write('no sandboxes\n');
    return 0;
  }
  const now = Date.now();
  let session = '';
  for (const s of sandboxes) {
    if (s.session !== session) {
      session = s.session;
      process.stdout.write(
        `session ${session} (owner ${s.owner}${s.ownerAlive ? '' : ', GONE: `sandkit gc` removes it'})\n`,
      );
      process.stdout.write(`  ${row(['SANDBOX', 'RUNTIME', 'STATE', 'AGE', 'EXPIRES IN', 'IMAGE'])}\n`);
    }
    const expiresIn = s.expiresAt ? duration(Date.parse(s.expiresAt) - now) : 'never';
    process.stdout.write(
      `  ${row([s.sandbox, s.runtime, s.state, duration(now - Date.parse(s.createdAt)), expiresIn, s.image])}\n`,
    );
  }
  return 0;
}

const COLUMN_WIDTHS = [36, 7, 8, 6, 10];

/** One line of the table: columns padded to their widths, the last one as is. */
function row(cells: string[]): string {
  return cells.map((cell, i) => cell.padEnd(COLUMN_WIDTHS[i] ?? 0)).join('  ');
}

/** A short human duration: `45s`, `12m`, `3h`, `2d`; `expired` when negative. */
function duration(ms: number): string {
  if (ms < 0) return 'expired';
  const seconds = Math.round(ms / 1000);
  if (seconds < 90) return `${seconds}s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)}m`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}
