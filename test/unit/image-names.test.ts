import { describe, expect, it } from 'vitest';
import { familiarTag, queryTag } from '../../packages/runtime-socket/src/proxy/image-names.js';

describe('image tags in the form the engine lists them', () => {
  it('adds :latest, drops the default registry and library/, keeps other registries', () => {
    expect(familiarTag('busybox')).toBe('busybox:latest');
    expect(familiarTag('docker.io/library/busybox:1')).toBe('busybox:1');
    expect(familiarTag('index.docker.io/user/app')).toBe('user/app:latest');
    expect(familiarTag('library/busybox:2')).toBe('busybox:2');
    expect(familiarTag('localhost:5000/app')).toBe('localhost:5000/app:latest');
    expect(familiarTag('registry.local/a/b:c')).toBe('registry.local/a/b:c');
    expect(familiarTag('user/library/x:1')).toBe('user/library/x:1');
  });

  it('names no tag for digests and empty references', () => {
    expect(familiarTag('busybox@sha256:abc')).toBeUndefined();
    expect(familiarTag('')).toBeUndefined();
    expect(familiarTag('app:')).toBeUndefined();
  });

  it('reads repo and tag query parameters as the engine does: a tag replaces the one in repo', () => {
    expect(queryTag('busybox:1', '2')).toBe('busybox:2');
    expect(queryTag('localhost:5000/app', '3')).toBe('localhost:5000/app:3');
    expect(queryTag('user/app:4', '')).toBe('user/app:4');
    expect(queryTag('', 'x')).toBeUndefined();
  });
});
