import { goFold } from './go-fold.js';
import { type JsonNode, JsonObject, JsonSyntaxError, parseJsonTree } from './json-tree.js';
import type { FieldSpec, FieldType, StructType } from './schema-types.js';

/** A request body the proxy will not read (and so will not forward): answered with 400. */
export class UnreadableBody extends Error {}

/** A canonical body: canonical field names, one value each, engine types. */
export type CanonicalBody = Record<string, unknown>;

/**
 * Reads a request body the way the engine will, against `schema`, and returns
 * its canonical form: every struct key replaced by the field it addresses,
 * strslices as arrays, `struct{}` values as `{}`. The proxy checks this form
 * and sends exactly this form upstream, re-serialized.
 *
 * Refused, with the path of the offending value: invalid JSON, a key no field
 * of the struct answers to (allow-list), two keys addressing one field or one
 * map key twice (ambiguous: the engine would read both), and values of the
 * wrong type.
 * @throws UnreadableBody
 */
export function canonicalBody(text: string, schema: StructType): CanonicalBody {
  if (text.trim() === '') return {};
  let tree: JsonNode;
  try {
    tree = parseJsonTree(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new UnreadableBody(error.message);
    throw error;
  }
  if (!(tree instanceof JsonObject))
    throw new UnreadableBody(`the body must be a JSON object (${schema.name})`);
  return canonicalValue(tree, schema, '') as CanonicalBody;
}

function canonicalValue(node: JsonNode, type: FieldType, path: string): unknown {
  if (node === null) return null; // Go leaves the field at its zero value
  const wrong = (expected: string): never => {
    throw new UnreadableBody(`${path || 'the body'} must be ${expected}, not ${describe(node)}`);
  };
  switch (type.kind) {
    case 'string':
      return typeof node === 'string' ? node : wrong('a string');
    case 'bool':
      return typeof node === 'boolean' ? node : wrong('true or false');
    case 'int':
      return typeof node === 'number' && Number.isSafeInteger(node) ? node : wrong('an integer');
    case 'uint':
      return typeof node === 'number' && Number.isSafeInteger(node) && node >= 0
        ? node
        : wrong('a non-negative integer');
    case 'strslice':
      if (typeof node === 'string') return [node];
      if (!Array.isArray(node)) return wrong('a string or an array of strings');
      return node.map((item, index) => canonicalValue(item, { kind: 'string' }, `${path}[${index}]`));
    case 'array':
      if (!Array.isArray(node)) return wrong('an array');
      if (type.length !== undefined && node.length !== type.length)
        wrong(`an array of ${type.length} values`);
      return node.map((item, index) => canonicalValue(item, type.items, `${path}[${index}]`));
    case 'map': {
      if (!(node instanceof JsonObject)) return wrong('an object');
      const seen = new Set<string>();
      const entries: Array<[string, unknown]> = [];
      for (const [key, value] of node.members) {
        if (seen.has(key)) throw new UnreadableBody(`${path} has the key ${JSON.stringify(key)} twice`);
        seen.add(key);
        entries.push([key, canonicalValue(value, type.values, `${path}[${JSON.stringify(key)}]`)]);
      }
      return Object.fromEntries(entries);
    }
    case 'empty':
      return node instanceof JsonObject ? {} : wrong('an object');
    case 'struct': {
      if (!(node instanceof JsonObject)) return wrong(`an object (${type.name})`);
      const fields = foldedFields(type);
      const sentAs = new Map<string, string>();
      const entries: Array<[string, unknown]> = [];
      for (const [key, value] of node.members) {
        const field = fields.get(goFold(key));
        const where = path ? `${path}.` : '';
        if (field === undefined) {
          throw new UnreadableBody(
            `unknown field ${JSON.stringify(`${where}${key}`)} (${type.name} has no such field the guarded socket accepts)`,
          );
        }
        const earlier = sentAs.get(field);
        if (earlier !== undefined) {
          throw new UnreadableBody(
            `${JSON.stringify(`${where}${earlier}`)} and ${JSON.stringify(`${where}${key}`)} both set ${where}${field}: ambiguous, send each field once`,
          );
        }
        sentAs.set(field, key);
        const spec = type.fields[field] as FieldSpec;
        // Clients send fields this engine does not read; it would ignore them, the proxy drops them.
        if (spec.unread !== undefined) continue;
        entries.push([field, canonicalValue(value, spec.type, `${where}${field}`)]);
      }
      return Object.fromEntries(entries);
    }
  }
}

const foldedByStruct = new WeakMap<StructType, Map<string, string>>();

/** The struct's fields by their Go fold. */
function foldedFields(struct: StructType): Map<string, string> {
  let folded = foldedByStruct.get(struct);
  if (!folded) {
    folded = new Map(Object.keys(struct.fields).map((name) => [goFold(name), name]));
    foldedByStruct.set(struct, folded);
  }
  return folded;
}

function describe(node: JsonNode): string {
  if (node instanceof JsonObject) return 'an object';
  if (Array.isArray(node)) return 'an array';
  return JSON.stringify(node);
}
