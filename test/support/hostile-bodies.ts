import type { CanonicalBody } from '../../packages/runtime-socket/src/proxy/canonical-body/canonicalise.js';
import * as engineSchema from '../../packages/runtime-socket/src/proxy/canonical-body/engine-schema.js';
import type {
  FieldSpec,
  FieldType,
  StructType,
} from '../../packages/runtime-socket/src/proxy/canonical-body/schema-types.js';
import {
  checkContainerCreate,
  checkContainerUpdate,
  checkExecCreate,
  checkNetworkConnect,
  checkNetworkCreate,
  checkVolumeCreate,
  type PolicyContext,
} from '../../packages/runtime-socket/src/proxy/request-policy.js';

/** A job that owns nothing: every foreign name in the schema's hostile examples is someone else's. */
export const OWNS_NOTHING: PolicyContext = {
  allowedBindPaths: ['/work/shared'],
  ownedId: async () => undefined,
  volumeExists: async () => false,
  engineName: (_kind, name) => `job_${name}`,
};

/** A checked body kind: the API route, its engine struct, and the policy's verdict on a canonical body. */
export interface CheckedBody {
  route: string;
  method: 'POST';
  path: string;
  schema: StructType;
  violations(body: CanonicalBody, context: PolicyContext): Promise<string[]>;
}

/** Every body the guarded socket checks, with the policy that decides on it. */
export const CHECKED_BODIES: readonly CheckedBody[] = [
  {
    route: 'container.create',
    method: 'POST',
    path: '/containers/create',
    schema: engineSchema.CONTAINER_CREATE,
    violations: async (body, context) => (await checkContainerCreate(body, context)).violations,
  },
  {
    route: 'container.update',
    method: 'POST',
    path: '/containers/{container}/update',
    schema: engineSchema.CONTAINER_UPDATE,
    violations: async (body) => checkContainerUpdate(body),
  },
  {
    route: 'exec.create',
    method: 'POST',
    path: '/containers/{container}/exec',
    schema: engineSchema.EXEC_CREATE,
    violations: async (body) => checkExecCreate(body),
  },
  {
    route: 'volume.create',
    method: 'POST',
    path: '/volumes/create',
    schema: engineSchema.VOLUME_CREATE,
    violations: async (body) => checkVolumeCreate(body),
  },
  {
    route: 'network.create',
    method: 'POST',
    path: '/networks/create',
    schema: engineSchema.NETWORK_CREATE,
    violations: async (body) => checkNetworkCreate(body).violations,
  },
  {
    route: 'network.connect',
    method: 'POST',
    path: '/networks/{network}/connect',
    schema: engineSchema.NETWORK_CONNECT,
    violations: async (body, context) => (await checkNetworkConnect(body, context)).violations,
  },
];

/** Ways to spell a struct key that the engine's decoder still reads as that field. */
export const SPELLINGS = {
  lower: (key) => key.toLowerCase(),
  upper: (key) => key.toUpperCase(),
  alternating: (key) => [...key].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join(''),
  /** Go folds U+017F (ſ) onto s and U+212A (Kelvin) onto k; keys without either swap their first letter's case. */
  goUnicodeFold: (key) =>
    /[sk]/i.test(key)
      ? key.replace(/[sk]/gi, (c) => (c.toLowerCase() === 's' ? '\u017f' : '\u212a'))
      : key.charAt(0).toLowerCase() + key.slice(1),
} satisfies Record<string, (key: string) => string>;

/** `value` (canonical) with every struct key inside it re-spelled, following the schema. */
export function respell(value: unknown, type: FieldType, spell: (key: string) => string): unknown {
  if (value === null || typeof value !== 'object') return value;
  switch (type.kind) {
    case 'struct':
      return Object.fromEntries(
        Object.entries(value).map(([key, v]) => [spell(key), respell(v, fieldAt(type, [key]), spell)]),
      );
    case 'array':
      return (value as unknown[]).map((item) => respell(item, type.items, spell));
    case 'map':
      return Object.fromEntries(
        Object.entries(value).map(([key, v]) => [key, respell(v, type.values, spell)]),
      );
    default:
      return value;
  }
}

/** The type of the field at `path` below `root`. */
export function fieldAt(root: StructType, path: readonly string[]): FieldType {
  let type: FieldType = root;
  for (const name of path) {
    if (type.kind !== 'struct') throw new Error(`${path.join('.')} goes through a non-struct`);
    const field: FieldSpec | undefined = type.fields[name];
    if (!field) throw new Error(`no field ${name} in ${type.name}`);
    type = field.type;
  }
  return type;
}

/** A body holding `value` at `path`, each key on the way spelled by `spell`. */
export function bodyWith(path: readonly string[], value: unknown, spell: (key: string) => string = (k) => k) {
  let body: unknown = value;
  for (const name of [...path].reverse()) body = { [spell(name)]: body };
  return body as Record<string, unknown>;
}

/** A value of the wrong JSON type for a field of `type` (the engine would refuse to decode it). */
export function wrongTypeFor(type: FieldType): unknown {
  switch (type.kind) {
    case 'string':
      return 1;
    case 'bool':
      return 'true';
    case 'int':
    case 'uint':
      return '1';
    case 'strslice':
      return { a: 1 };
    case 'array':
      return 'not-an-array';
    case 'map':
    case 'empty':
    case 'struct':
      return ['not', 'an', 'object'];
  }
}
