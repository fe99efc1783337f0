import { describe, expect, it } from 'vitest';
import {
  canonicalBody,
  UnreadableBody,
} from '../../packages/runtime-socket/src/proxy/canonical-body/canonicalise.js';
import * as engineSchema from '../../packages/runtime-socket/src/proxy/canonical-body/engine-schema.js';
import { goFold } from '../../packages/runtime-socket/src/proxy/canonical-body/go-fold.js';
import {
  JsonObject,
  MAX_JSON_DEPTH,
  parseJsonTree,
} from '../../packages/runtime-socket/src/proxy/canonical-body/json-tree.js';
import type { StructType } from '../../packages/runtime-socket/src/proxy/canonical-body/schema-types.js';

const create = (text: string) => canonicalBody(text, engineSchema.CONTAINER_CREATE);

describe('reading a body as the engine reads it', () => {
  it('keeps every member of an object, duplicates included, so nothing collapses unseen', () => {
    expect(parseJsonTree('{"a":1,"a":{"b":[true,null]}}')).toEqual(
      new JsonObject([
        ['a', 1],
        ['a', new JsonObject([['b', [true, null]]])],
      ]),
    );
    for (const bad of ['{"a":1,}', "{'a':1}", '{"a":01}', '[1] 2', '{"a":"\u0001"}', '']) {
      expect(() => parseJsonTree(bad)).toThrow(/invalid JSON/);
    }
    expect(() => parseJsonTree(`${'['.repeat(MAX_JSON_DEPTH + 2)}${']'.repeat(MAX_JSON_DEPTH + 2)}`)).toThrow(
      /nested deeper/,
    );
  });

  it('folds keys as Go does: ASCII case, the long s and the Kelvin sign', () => {
    expect(goFold('privileged')).toBe(goFold('Privileged'));
    expect(goFold('\u017fecurityopt')).toBe(goFold('SecurityOpt'));
    expect(goFold('\u212aernelMemory')).toBe(goFold('KernelMemory'));
    expect(goFold('Labels')).not.toBe(goFold('Label'));
  });

  it('answers every spelling with the canonical field name, and sends only those', () => {
    expect(
      create('{"image":"x","hostconfig":{"privileged":true,"BINDS":["/a:/b"],"pidmode":"host"}}'),
    ).toEqual({
      Image: 'x',
      HostConfig: { Privileged: true, Binds: ['/a:/b'], PidMode: 'host' },
    });
    expect(
      create('{"Cmd":"echo hi","HostConfig":{"CapAdd":"SYS_ADMIN"},"ExposedPorts":{"80/tcp":{"x":1}}}'),
    ).toEqual({ Cmd: ['echo hi'], HostConfig: { CapAdd: ['SYS_ADMIN'] }, ExposedPorts: { '80/tcp': {} } });
  });

  it('keeps map keys exactly as sent: they are data, not fields', () => {
    expect(create('{"Labels":{"a":"1","A":"2","dev.sandkit.sandbox":"x"}}')).toEqual({
      Labels: { a: '1', A: '2', 'dev.sandkit.sandbox': 'x' },
    });
    expect(create('{"Labels":{"__proto__":"x"}}').Labels).toHaveProperty('__proto__', 'x');
  });

  it('refuses two keys for one field, and one map key twice: the engine would read both', () => {
    expect(() => create('{"HostConfig":{},"hostConfig":{"Privileged":true}}')).toThrow(
      /"HostConfig" and "hostConfig" both set HostConfig: ambiguous/,
    );
    expect(() => create('{"HostConfig":{"Privileged":false},"HostConfig":{"Privileged":true}}')).toThrow(
      /ambiguous/,
    );
    expect(() => create('{"Labels":{"a":"1"},"labels":{"dev.sandkit.sandbox":"other"}}')).toThrow(
      /ambiguous/,
    );
    expect(() => create('{"Labels":{"a":"1","a":"2"}}')).toThrow(/has the key "a" twice/);
  });

  it('refuses fields it was not taught, top-level HostConfig fields included (the engine reads those too)', () => {
    expect(() => create('{"Image":"x","Privileged":true}')).toThrow(
      /unknown field "Privileged" \(container.ContainerConfigWrapper/,
    );
    expect(() => create('{"HostConfig":{"Privileges":true}}')).toThrow(
      /unknown field "HostConfig.Privileges"/,
    );
    expect(() => create('{"HostConfig":{"Mounts":[{"Type":"bind","Src":"/"}]}}')).toThrow(
      /unknown field "HostConfig.Mounts\[0\].Src"/,
    );
  });

  it('drops query parameters SDKs repeat in the body (dockerode sends name there), which the engine ignores', () => {
    expect(create('{"name":"web","Image":"x"}')).toEqual({ Image: 'x' });
  });

  it('drops the fields of newer API versions, which this engine would ignore: it never reads them', () => {
    expect(
      create(
        '{"HostConfig":{"Annotations":{"a":"b"},"Mounts":[{"Type":"bind","BindOptions":{"CreateMountpoint":true}}]},' +
          '"NetworkingConfig":{"EndpointsConfig":{"n":{"Aliases":["x"],"DNSNames":null,"GwPriority":0}}}}',
      ),
    ).toEqual({
      HostConfig: { Mounts: [{ Type: 'bind', BindOptions: {} }] },
      NetworkingConfig: { EndpointsConfig: { n: { Aliases: ['x'] } } },
    });
  });

  it('refuses values of the wrong type, with the path the job sent', () => {
    expect(() => create('{"HostConfig":{"Privileged":"true"}}')).toThrow(
      'HostConfig.Privileged must be true or false, not "true"',
    );
    expect(() => create('{"HostConfig":{"Memory":1.5}}')).toThrow(/HostConfig.Memory must be an integer/);
    expect(() => create('{"HostConfig":{"ConsoleSize":[1]}}')).toThrow(/an array of 2 values/);
    expect(() => create('[]')).toThrow(UnreadableBody);
    expect(() => create('{"HostConfig":{"Binds":"/:/h"}}')).toThrow(/HostConfig.Binds must be an array/);
  });

  it('reads null as the engine does: the zero value', () => {
    expect(create('{"HostConfig":null,"Cmd":null}')).toEqual({ HostConfig: null, Cmd: null });
    expect(create('  ')).toEqual({});
  });

  it('has no two fields in one struct that the engine could confuse', () => {
    const visit = (struct: StructType) => {
      const folds = Object.keys(struct.fields).map(goFold);
      expect(new Set(folds).size, struct.name).toBe(folds.length);
      for (const field of Object.values(struct.fields)) {
        let type = field.type;
        while (type.kind === 'array' || type.kind === 'map')
          type = type.kind === 'array' ? type.items : type.values;
        if (type.kind === 'struct') visit(type);
      }
    };
    for (const schema of Object.values(engineSchema)) visit(schema);
  });
});
