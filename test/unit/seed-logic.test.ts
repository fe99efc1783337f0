import { describe, expect, it } from 'vitest';
import { goldenKey } from '../../packages/runtime-sysbox/src/seed/golden-key.js';
import { splitRef } from '../../packages/runtime-sysbox/src/seed/load-seed-images.js';
import { resolveSeedStrategy } from '../../packages/runtime-sysbox/src/seed/seed-strategy.js';

const reflink = { cloneMethod: 'reflink' as const, reason: 'the store supports reflinks' };

describe('seed strategy', () => {
  it('auto clones on a local engine, saying how and why', () => {
    expect(resolveSeedStrategy({ images: ['a'] }, true, reflink)).toEqual({
      strategy: 'clone',
      cloneMethod: 'reflink',
      reason: 'auto: each sandbox gets a clone of a golden data root; the store supports reflinks',
    });
  });

  it('auto loads on a remote engine, where no host store can be mounted', () => {
    expect(resolveSeedStrategy({ images: ['a'], strategy: 'auto' }, false, undefined).strategy).toBe('load');
  });

  it('honours an explicit load, and refuses an explicit clone it cannot do', () => {
    expect(resolveSeedStrategy({ images: ['a'], strategy: 'load' }, true, reflink).strategy).toBe('load');
    expect(() => resolveSeedStrategy({ images: ['a'], strategy: 'clone' }, false, undefined)).toThrow(
      /needs a local engine/,
    );
  });
});

describe('golden keys', () => {
  const inputs = {
    images: [
      { ref: 'b:1', id: 'sha256:2' },
      { ref: 'a:1', id: 'sha256:1' },
    ],
    daemonImageId: 'sha256:d',
    storageDriver: 'overlay2',
    userNamespace: false,
  };

  it('do not depend on the order of the seed images', () => {
    expect(goldenKey(inputs)).toBe(goldenKey({ ...inputs, images: [...inputs.images].reverse() }));
    expect(goldenKey(inputs)).toMatch(/^[a-f0-9]{64}$/);
  });

  it('change with everything that changes the data root on disk', () => {
    const key = goldenKey(inputs);
    expect(
      goldenKey({ ...inputs, images: [{ ref: 'a:1', id: 'sha256:other' }, inputs.images[0] as never] }),
    ).not.toBe(key);
    expect(goldenKey({ ...inputs, daemonImageId: 'sha256:e' })).not.toBe(key);
    expect(goldenKey({ ...inputs, storageDriver: 'btrfs' })).not.toBe(key);
    expect(goldenKey({ ...inputs, userNamespace: true })).not.toBe(key);
  });
});

describe('image references', () => {
  it('split into repository and tag, registry ports and digests included', () => {
    expect(splitRef('busybox')).toEqual(['busybox', 'latest']);
    expect(splitRef('sandkit-test/busybox:abc')).toEqual(['sandkit-test/busybox', 'abc']);
    expect(splitRef('registry.local:5000/team/app')).toEqual(['registry.local:5000/team/app', 'latest']);
    expect(splitRef('registry.local:5000/team/app:2@sha256:ff')).toEqual([
      'registry.local:5000/team/app',
      '2',
    ]);
  });
});
