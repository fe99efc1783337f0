import { describe, expect, it } from 'vitest';
import {
  canonicalBody,
  UnreadableBody,
} from '../../packages/runtime-socket/src/proxy/canonical-body/canonicalise.js';
import { guardedFields } from '../../packages/runtime-socket/src/proxy/canonical-body/schema-types.js';
import {
  bodyWith,
  CHECKED_BODIES,
  fieldAt,
  OWNS_NOTHING,
  respell,
  SPELLINGS,
  wrongTypeFor,
} from '../support/hostile-bodies.js';

/** What the proxy does with a body: refuse it unread (400), deny it (403), or send it. */
async function verdict(
  kind: (typeof CHECKED_BODIES)[number],
  text: string,
): Promise<'unread' | 'denied' | 'sent'> {
  try {
    const body = canonicalBody(text, kind.schema);
    return (await kind.violations(body, OWNS_NOTHING)).length > 0 ? 'denied' : 'sent';
  } catch (error) {
    if (error instanceof UnreadableBody) return 'unread';
    throw error;
  }
}

/**
 * Hostile bodies generated from the schema's own list of guarded fields: every
 * field the policy guards, in every spelling the engine reads, duplicated,
 * nested, and with wrong types. A field added to the schema with hostile
 * examples is fuzzed without touching this file.
 */
describe.each(CHECKED_BODIES.map((kind) => [kind.route, kind] as const))(
  'fuzzing %s bodies',
  (_route, kind) => {
    const fields = guardedFields(kind.schema);
    const cases = fields.flatMap((field) =>
      field.hostile.map(
        (hostile) => [`${field.path.join('.')} = ${JSON.stringify(hostile)}`, field, hostile] as const,
      ),
    );

    it('has guarded fields to fuzz', () => {
      expect(fields.length).toBeGreaterThan(0);
    });

    it.each(cases)('%s is denied in every spelling the engine reads', async (_name, field, hostile) => {
      const type = fieldAt(kind.schema, field.path);
      expect(await verdict(kind, JSON.stringify(bodyWith(field.path, hostile)))).toBe('denied');
      for (const spell of Object.values(SPELLINGS)) {
        const body = bodyWith(field.path, respell(hostile, type, spell), spell);
        expect(await verdict(kind, JSON.stringify(body)), JSON.stringify(body)).toBe('denied');
      }
    });

    it.each(cases)('%s cannot hide behind a second spelling of its key', async (_name, field, hostile) => {
      const last = field.path.at(-1) as string;
      const parent = field.path.slice(0, -1);
      for (const spell of Object.values(SPELLINGS)) {
        const variant = spell(last) === last ? last.toLowerCase() : spell(last);
        if (variant === last) continue;
        const members = (first: string, second: string) =>
          `{${JSON.stringify(first)}:null,${JSON.stringify(second)}:${JSON.stringify(hostile)}}`;
        for (const [first, second] of [
          [last, variant],
          [variant, last],
          [last, last],
        ] as const) {
          const inner = members(first, second);
          const text = parent.reduceRight((json, name) => `{${JSON.stringify(name)}:${json}}`, inner);
          expect(await verdict(kind, text), text).toBe('unread');
        }
      }
      if (parent.length > 0) {
        // The engine merges nested objects sent twice: a harmless first copy must not hide a hostile second.
        const outer = parent[0] as string;
        const hostileCopy = JSON.stringify(bodyWith(field.path.slice(1), hostile));
        const text = `{${JSON.stringify(outer)}:{},${JSON.stringify(outer.toLowerCase())}:${hostileCopy}}`;
        expect(await verdict(kind, text), text).toBe('unread');
      }
    });

    it.each(cases)('%s with the wrong type is refused unread', async (_name, field) => {
      const text = JSON.stringify(bodyWith(field.path, wrongTypeFor(fieldAt(kind.schema, field.path))));
      expect(await verdict(kind, text), text).toBe('unread');
    });

    it('refuses unknown fields at every level the guarded fields sit in', async () => {
      const parents = new Set(fields.map((field) => JSON.stringify(field.path.slice(0, -1))));
      for (const parent of parents) {
        const path = [...(JSON.parse(parent) as string[]), 'NotAnEngineField'];
        expect(await verdict(kind, JSON.stringify(bodyWith(path, true))), path.join('.')).toBe('unread');
      }
    });

    it('sends an empty body: nothing in it is hostile', async () => {
      expect(await verdict(kind, kind.route === 'network.connect' ? '{"Container":""}' : '{}')).toBe(
        kind.route === 'network.connect' ? 'denied' : 'sent',
      );
    });
  },
);
