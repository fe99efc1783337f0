import { connectEngine, engineLabelFilters, isOwnerDead, LABEL } from '@sandkit/core';
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
  let session = '';
  for (const s of sandboxes) {
    if (s.session !== session) {
      session = s.session;
      process.stdout.write(
        `session ${session} (owner ${s.owner}${s.ownerAlive ? '' : ', GONE: `sandkit gc` removes it'})\n`,
      );
    }
    process.stdout.write(
      `  ${s.sandbox}  ${s.runtime.padEnd(7)} ${s.state.padEnd(8)} ${s.image}${s.expiresAt ? `  expires ${s.expiresAt}` : ''}\n`,
    );
  }
  return 0;
}
