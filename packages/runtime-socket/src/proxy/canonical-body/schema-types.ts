/**
 * How the engine's Go JSON decoder reads one value. Struct fields are matched
 * case-insensitively; map keys are data and stay exactly as sent.
 */
export type FieldType =
  | { readonly kind: 'string' | 'bool' | 'int' | 'uint' }
  /** `strslice.StrSlice`: a string or an array of strings, always read as an array. */
  | { readonly kind: 'strslice' }
  | { readonly kind: 'array'; readonly items: FieldType; readonly length?: number }
  | { readonly kind: 'map'; readonly values: FieldType }
  /** `struct{}` (e.g. the values of `ExposedPorts`): any object, read as `{}`. */
  | { readonly kind: 'empty' }
  | StructType;

/** A Go struct of the Engine API: its JSON field names, exactly as the engine spells them. */
export interface StructType {
  readonly kind: 'struct';
  /** The Go type, for messages. */
  readonly name: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

/** One struct field: its type and, when the policy guards it, values the policy must refuse. */
export interface FieldSpec {
  readonly type: FieldType;
  /**
   * Values of this field that are an escape or reach another job's objects
   * (they assume the job owns nothing). The policy refuses each; the fuzz
   * tests send them in every spelling the engine would read.
   */
  readonly hostile?: readonly unknown[];
  /**
   * Why the engine does not read this field, when it does not: it came in a
   * later API version than the engine's (v1.41), or it is a query parameter
   * some SDKs repeat in the body (dockerode's `name`). Clients send it, the
   * engine would ignore it, and the proxy drops it, so the engine never reads
   * what was not checked.
   */
  readonly unread?: string;
}

/** A string field. */
export const string: FieldType = { kind: 'string' };
/** A boolean field. */
export const bool: FieldType = { kind: 'bool' };
/** A signed integer field (also `*int64` and `time.Duration`). */
export const int: FieldType = { kind: 'int' };
/** An unsigned integer field. */
export const uint: FieldType = { kind: 'uint' };
/** A `strslice.StrSlice` field. */
export const strslice: FieldType = { kind: 'strslice' };
/** A `struct{}` value. */
export const empty: FieldType = { kind: 'empty' };

/** An array of `items`; `length` for Go arrays of fixed size. */
export function arrayOf(items: FieldType, length?: number): FieldType {
  return length === undefined ? { kind: 'array', items } : { kind: 'array', items, length };
}

/** A Go map with string keys (data, matched exactly). */
export function mapOf(values: FieldType): FieldType {
  return { kind: 'map', values };
}

/** A field the policy guards, with values it must refuse. */
export function guarded(type: FieldType, ...hostile: unknown[]): FieldSpec {
  return { type, hostile };
}

/** A field added after Engine API v1.41 (see {@link FieldSpec.unread}). */
export function newer(since: string, type: FieldType): FieldSpec {
  return { type, unread: `added in Engine API ${since}` };
}

/** A query parameter that SDKs also put in the body, where the engine ignores it (see {@link FieldSpec.unread}). */
export function queryEcho(type: FieldType): FieldSpec {
  return { type, unread: 'a query parameter, repeated in the body by some SDKs' };
}

/** A struct type; plain types are fields the policy does not guard. */
export function struct(name: string, fields: Record<string, FieldType | FieldSpec>): StructType {
  return {
    kind: 'struct',
    name,
    fields: Object.fromEntries(
      Object.entries(fields).map(([key, field]) => [key, 'type' in field ? field : { type: field }]),
    ),
  };
}

/** A guarded field somewhere in a body: its canonical path and the values the policy must refuse. */
export interface GuardedField {
  /** Canonical field names from the body's root, e.g. `['HostConfig', 'Privileged']`. */
  readonly path: readonly string[];
  readonly hostile: readonly unknown[];
}

/**
 * Every guarded field reachable from `root` through nested structs (not
 * through arrays or maps): the policy's field list, for the fuzz tests.
 */
export function guardedFields(root: StructType, prefix: readonly string[] = []): GuardedField[] {
  const found: GuardedField[] = [];
  for (const [name, field] of Object.entries(root.fields)) {
    const path = [...prefix, name];
    if (field.hostile) found.push({ path, hostile: field.hostile });
    if (field.type.kind === 'struct') found.push(...guardedFields(field.type, path));
  }
  return found;
}
