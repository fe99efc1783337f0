import { engineLabelFilters, LABEL, sandboxLabels } from '@sandkit/core/runtime';
import { describe, expect, it } from 'vitest';
import { matchesFilter } from '../../packages/core/src/labels/label-filter.js';

const session = { id: 'sess-1', owner: 'host:42' };
const labels = sandboxLabels({
  session,
  sandboxId: 'sb-1',
  runtime: 'socket',
  expiresAt: 1_000,
  extra: { team: 'a' },
});

describe('labels and sweep filters', () => {
  it('label everything with session, sandbox, runtime, owner and expiry, keeping user labels', () => {
    expect(labels).toEqual({
      team: 'a',
      [LABEL.managed]: 'true',
      [LABEL.session]: 'sess-1',
      [LABEL.sandbox]: 'sb-1',
      [LABEL.runtime]: 'socket',
      [LABEL.owner]: 'host:42',
      [LABEL.expiresAt]: '1000',
    });
  });

  it('user labels cannot override sandkit labels', () => {
    const forged = sandboxLabels({
      session,
      sandboxId: 'sb-1',
      runtime: 'socket',
      extra: { [LABEL.session]: 'other' },
    });
    expect(forged[LABEL.session]).toBe('sess-1');
  });

  it('translate to engine label filters, always restricted to sandkit objects', () => {
    expect(engineLabelFilters({})).toEqual(['dev.sandkit.managed=true']);
    expect(engineLabelFilters({ session: 's', sandbox: 'b', runtime: 'r' })).toEqual([
      'dev.sandkit.managed=true',
      'dev.sandkit.session=s',
      'dev.sandkit.sandbox=b',
      'dev.sandkit.runtime=r',
    ]);
  });

  it('match on every given field', () => {
    expect(matchesFilter(labels, {})).toBe(true);
    expect(matchesFilter(labels, { session: 'sess-1', runtime: 'socket' })).toBe(true);
    expect(matchesFilter(labels, { session: 'sess-2' })).toBe(false);
    expect(matchesFilter(labels, { sandbox: 'sb-2' })).toBe(false);
    expect(matchesFilter({ team: 'a' }, {})).toBe(false);
    expect(matchesFilter(undefined, {})).toBe(false);
  });

  it('select by expiry only objects that have one and whose time has come', () => {
    expect(matchesFilter(labels, { expiredAt: 999 })).toBe(false);
    expect(matchesFilter(labels, { expiredAt: 1_000 })).toBe(true);
    const noExpiry = sandboxLabels({ session, sandboxId: 'sb-2', runtime: 'socket' });
    expect(matchesFilter(noExpiry, { expiredAt: Number.MAX_SAFE_INTEGER })).toBe(false);
  });
});
