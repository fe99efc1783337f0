import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { DockerfileRewrite } from '../../packages/runtime-socket/src/proxy/build-context.js';
import { withResolvedImages } from '../../packages/runtime-socket/src/proxy/dockerfile-references.js';
import {
  jobImageHistory,
  jobImageInspect,
  jobImageList,
} from '../../packages/runtime-socket/src/proxy/image-views.js';
import {
  isEngineDefaultMode,
  onJobDefaultNetwork,
} from '../../packages/runtime-socket/src/proxy/job-default-network.js';
import { JobNames } from '../../packages/runtime-socket/src/proxy/job-names.js';
import { withJobNameFilters } from '../../packages/runtime-socket/src/proxy/name-filters.js';
import { withAlias, withNetworkAlias } from '../../packages/runtime-socket/src/proxy/network-aliases.js';
import { readUstar, ustar } from '../support/ustar.js';

const names = new JobNames('01a2334e-8b92-770c-b080-848e9cadabba');
const other = new JobNames('01a2334e-8b92-770c-b080-000000000000');
const ns = names.namespace;

describe("a job's private names and the engine names they stand for", () => {
  it('gives every job a namespace of its own, from its sandbox id', () => {
    expect(ns).toMatch(/^sk[0-9a-f]{12}$/);
    expect(new JobNames('01a2334e-8b92-770c-b080-848e9cadabba').namespace).toBe(ns);
    expect(other.namespace).not.toBe(ns);
  });

  it('maps container, network and volume names into the namespace and back', () => {
    expect(names.engineName('web')).toBe(`${ns}_web`);
    expect(names.engineName('/web')).toBe(`${ns}_web`);
    // A name already in the job's namespace stands for itself; another job's namespace is just a name.
    expect(names.engineName(`${ns}_web`)).toBe(`${ns}_web`);
    expect(names.engineName(`${other.namespace}_web`)).toBe(`${ns}_${other.namespace}_web`);
    expect(names.jobName(`${ns}_web`)).toBe('web');
    expect(names.jobName(`/${ns}_web`)).toBe('/web');
    expect(names.jobName(`${other.namespace}_web`)).toBe(`${other.namespace}_web`);
    expect(names.jobName('sandkit-01a2334e')).toBe('sandkit-01a2334e');
  });

  it("looks a name up as the job's first, then as it is; names like ids as they are first", () => {
    expect(names.lookupOrder('container', 'web')).toEqual([`${ns}_web`, 'web']);
    expect(names.lookupOrder('network', 'bridge')).toEqual([`${ns}_bridge`, 'bridge']);
    expect(names.lookupOrder('container', 'a'.repeat(64))).toEqual([
      'a'.repeat(64),
      `${ns}_${'a'.repeat(64)}`,
    ]);
    expect(names.lookupOrder('volume', `${ns}_data`)).toEqual([`${ns}_data`]);
    expect(names.lookupOrder('exec', 'web')).toEqual(['web']);
  });

  it("refuses the names the engine would refuse (the namespaced name would pass) and the engine's own networks", () => {
    expect(names.nameRefusal('container', 'web')).toBeUndefined();
    expect(names.nameRefusal('container', '/web')).toBeUndefined();
    expect(names.nameRefusal('container', '_web')).toMatch(/Invalid container name/);
    expect(names.nameRefusal('container', 'w')).toMatch(/Invalid container name/);
    expect(names.nameRefusal('volume', 'da/ta')).toMatch(/Invalid volume name/);
    expect(names.nameRefusal('network', 'ci net')).toBeUndefined();
    for (const name of ['bridge', 'host', 'none', 'default'])
      expect(names.nameRefusal('network', name)).toMatch(/the engine's own network/);
    expect(names.nameRefusal('network', '')).toMatch(/invalid network name/);
  });

  it("maps image tags into the namespace after the registry, and back; hides other jobs' private tags", () => {
    expect(names.engineTag('app:latest')).toBe(`${ns}/app:latest`);
    expect(names.engineTag('team/app:1')).toBe(`${ns}/team/app:1`);
    expect(names.engineTag('registry.local:5000/team/app:1')).toBe(`registry.local:5000/${ns}/team/app:1`);
    expect(names.engineTag(`${ns}/app:latest`)).toBe(`${ns}/app:latest`);
    expect(names.jobTag(`${ns}/app:latest`)).toBe('app:latest');
    expect(names.jobTag(`registry.local:5000/${ns}/team/app:1`)).toBe('registry.local:5000/team/app:1');
    expect(names.jobTag('busybox:latest')).toBe('busybox:latest');
    expect(names.jobTag(`${other.namespace}/app:latest`)).toBeUndefined();
    expect(names.jobTag(`registry.local/${other.namespace}/app:latest`)).toBeUndefined();
  });

  it("resolves image references: the private tag first, then the shared one, never another job's private tag", () => {
    expect(names.imageLookupOrder('app')).toEqual([`${ns}/app:latest`, 'app:latest']);
    expect(names.imageLookupOrder('docker.io/library/busybox:1')).toEqual([`${ns}/busybox:1`, 'busybox:1']);
    expect(names.imageLookupOrder(`${other.namespace}/app:latest`)).toEqual([
      `${ns}/${other.namespace}/app:latest`,
    ]);
    expect(names.imageLookupOrder(`sha256:${'a'.repeat(64)}`)).toEqual([`sha256:${'a'.repeat(64)}`]);
    expect(names.imageLookupOrder('abc123')).toEqual(['abc123']);
    expect(names.imageLookupOrder('busybox@sha256:abc')).toEqual(['busybox@sha256:abc']);
  });

  it("puts the job's names back into the engine's text, leaving other jobs' engine names alone", () => {
    const text = `Conflict. The container name "/${ns}_web" is already in use; Successfully tagged ${ns}/app:latest; ${other.namespace}_web`;
    expect(names.mentions(text)).toBe(true);
    expect(names.toJob(text)).toBe(
      `Conflict. The container name "/web" is already in use; Successfully tagged app:latest; ${other.namespace}_web`,
    );
    expect(names.mentions(Buffer.from('{"Names":["/web"]}'))).toBe(false);
  });
});

describe("list and events filters, matching the job's engine names", () => {
  const filters = (query: URLSearchParams) => JSON.parse(query.get('filters') ?? '{}');

  it('adds the engine form of each name term, in the encoding the job sent', () => {
    const arrays = new URLSearchParams({
      filters: JSON.stringify({ container: ['web'], type: ['container'] }),
    });
    expect(filters(withJobNameFilters('events', arrays, names))).toEqual({
      container: ['web', `${ns}_web`],
      type: ['container'],
    });
    const maps = new URLSearchParams({
      filters: JSON.stringify({ network: { ci: true }, ancestor: { app: true } }),
    });
    expect(filters(withJobNameFilters('container.list', maps, names))).toEqual({
      network: { ci: true, [`${ns}_ci`]: true },
      ancestor: { app: true, [`${ns}/app:latest`]: true },
    });
  });

  it('keeps patterns that match anywhere, and re-anchors anchored ones after the namespace', () => {
    const query = new URLSearchParams({ filters: JSON.stringify({ name: ['web', '^web$', '^/db'] }) });
    expect(filters(withJobNameFilters('container.list', query, names)).name).toEqual([
      'web',
      '^web$',
      '^/db',
      `^/?${ns}_web$`,
      `^/?${ns}_db`,
    ]);
  });

  it('matches image list references in the namespace', () => {
    const query = new URLSearchParams({ filters: JSON.stringify({ reference: ['app', 'team/*'] }) });
    expect(filters(withJobNameFilters('image.list', query, names)).reference).toEqual([
      'app',
      'team/*',
      `${ns}/app`,
      `${ns}/team/*`,
    ]);
  });

  it('leaves queries without name terms, and routes without named filters, as they are', () => {
    const query = new URLSearchParams({ filters: JSON.stringify({ label: ['a=b'] }) });
    expect(withJobNameFilters('container.list', query, names)).toBe(query);
    expect(withJobNameFilters('container.prune', query, names)).toBe(query);
  });
});

describe('images as the job sees them', () => {
  it("lists the job's tags by its names, hides other jobs' private images and shared tags its own shadow", () => {
    const list = [
      { Id: 'mine', RepoTags: [`${ns}/app:latest`, `${ns}/app:1`] },
      { Id: 'shared', RepoTags: ['app:latest', 'busybox:latest'] },
      { Id: 'theirs', RepoTags: [`${other.namespace}/app:latest`] },
      { Id: 'both', RepoTags: [`${other.namespace}/x:1`, 'x:1'] },
      { Id: 'untagged', RepoTags: ['<none>:<none>'] },
      { Id: 'no-tags', RepoTags: [] },
    ];
    expect(jobImageList(list, names)).toEqual([
      { Id: 'mine', RepoTags: ['app:latest', 'app:1'] },
      { Id: 'shared', RepoTags: ['busybox:latest'] },
      { Id: 'both', RepoTags: ['x:1'] },
      { Id: 'untagged', RepoTags: ['<none>:<none>'] },
      { Id: 'no-tags', RepoTags: [] },
    ]);
  });

  it("shows inspects and histories with the job's tags; other answers (errors) as they are", () => {
    expect(
      jobImageInspect({ Id: 'x', RepoTags: [`${ns}/app:1`, `${other.namespace}/app:1`, 'b:1'] }, names),
    ).toEqual({
      Id: 'x',
      RepoTags: ['app:1', 'b:1'],
    });
    expect(jobImageInspect({ message: 'No such image' }, names)).toEqual({ message: 'No such image' });
    expect(
      jobImageHistory(
        [
          { Id: 'x', Tags: [`${ns}/app:1`] },
          { Id: 'y', Tags: null },
        ],
        names,
      ),
    ).toEqual([
      { Id: 'x', Tags: ['app:1'] },
      { Id: 'y', Tags: null },
    ]);
  });
});

describe("a Dockerfile's image references, resolved as the job's", () => {
  const resolve = async (reference: string) => `resolved(${reference})`;

  it('resolves FROM and COPY --from images, not stages, scratch, variables or continued lines', async () => {
    const dockerfile = [
      'FROM app:latest AS build',
      'from --platform=linux/amd64 base:1',
      'FROM build',
      'FROM scratch',
      'ARG BASE=busybox',
      'FROM $BASE',
      'COPY --from=build /a /a',
      'COPY --chown=1:1 --from=tools:2 /t /t',
      'COPY --from=0 /b /b',
      'RUN echo \\',
      'FROM not-an-instruction',
      '',
    ].join('\n');
    expect(await withResolvedImages(dockerfile, resolve)).toBe(
      [
        'FROM resolved(app:latest) AS build',
        'from --platform=linux/amd64 resolved(base:1)',
        'FROM build',
        'FROM scratch',
        'ARG BASE=busybox',
        'FROM $BASE',
        'COPY --from=build /a /a',
        'COPY --chown=1:1 --from=resolved(tools:2) /t /t',
        'COPY --from=0 /b /b',
        'RUN echo \\',
        'FROM not-an-instruction',
        '',
      ].join('\n'),
    );
  });

  const rewriteContext = async (context: Buffer, dockerfile: string | null) => {
    const chunks: Buffer[] = [];
    // Small chunks: the tar is read across them.
    const parts = Array.from({ length: Math.ceil(context.length / 100) }, (_, i) =>
      context.subarray(i * 100, i * 100 + 100),
    );
    await pipeline(
      Readable.from(parts),
      new DockerfileRewrite(dockerfile, async (text) => text.replace('FROM app', 'FROM mine/app')),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk);
          done();
        },
      }),
    );
    return Buffer.concat(chunks);
  };

  it("rewrites the build context's Dockerfile in the tar stream, every other entry byte for byte", async () => {
    const context = ustar([
      { name: 'src/main.c', content: 'int main() {}\n'.repeat(100) },
      { name: './Dockerfile', content: 'FROM app:latest\nCOPY src /src\n' },
      { name: 'other/Dockerfile', content: 'FROM app:latest\n' },
    ]);
    const entries = readUstar(await rewriteContext(context, null));
    expect(entries.map((e) => [e.name, e.content?.toString()])).toEqual([
      ['src/main.c', 'int main() {}\n'.repeat(100)],
      ['./Dockerfile', 'FROM mine/app:latest\nCOPY src /src\n'],
      ['other/Dockerfile', 'FROM app:latest\n'],
    ]);
    const named = readUstar(await rewriteContext(context, 'other/Dockerfile'));
    expect(named.map((e) => e.content?.toString())).toContain('FROM mine/app:latest\n');
  });

  it('passes contexts it cannot read (compressed, not tar) unchanged', async () => {
    const notTar = Buffer.from('\x1f\x8b\x08 compressed bytes'.repeat(40));
    expect(await rewriteContext(notTar, null)).toEqual(notTar);
  });
});

describe("DNS aliases: the job's container names on its networks", () => {
  it('adds the job name as an alias on each of its networks the container joins', () => {
    const body = {
      Image: 'x',
      HostConfig: { NetworkMode: 'net-id' },
      NetworkingConfig: { EndpointsConfig: { 'net-id': { Aliases: ['a'] }, bridge: {} } },
    };
    expect(withNetworkAlias(body, 'web', ['net-id', 'net-2'])).toEqual({
      ...body,
      NetworkingConfig: {
        EndpointsConfig: { 'net-id': { Aliases: ['a', 'web'] }, bridge: {}, 'net-2': { Aliases: ['web'] } },
      },
    });
    expect(withNetworkAlias(body, '', ['net-id'])).toBe(body);
    expect(withNetworkAlias(body, 'web', [])).toBe(body);
    expect(withAlias(null, 'web')).toEqual({ Aliases: ['web'] });
    expect(withAlias({ Aliases: ['web'] }, 'web')).toEqual({ Aliases: ['web'] });
  });
});

describe("the job's own default network, in place of the engine's bridge", () => {
  it('takes the modes that ask for the default network: none given, default, bridge', () => {
    for (const mode of [undefined, null, '', 'default', 'bridge'])
      expect(isEngineDefaultMode(mode)).toBe(true);
    for (const mode of ['none', 'host', 'container:web', 'net-id'])
      expect(isEngineDefaultMode(mode)).toBe(false);
  });

  it("moves the container onto it: network mode, the default network's endpoint settings, legacy links", () => {
    const body = {
      Image: 'x',
      HostConfig: { NetworkMode: 'default', Links: ['sk0_web:db'], Memory: 1 },
      NetworkingConfig: { EndpointsConfig: { default: { Aliases: ['a'] }, other: {} } },
    };
    expect(onJobDefaultNetwork(body, 'job-net')).toEqual({
      Image: 'x',
      HostConfig: { NetworkMode: 'job-net', Memory: 1 },
      NetworkingConfig: {
        EndpointsConfig: { other: {}, 'job-net': { Aliases: ['a'], Links: ['sk0_web:db'] } },
      },
    });
    expect(onJobDefaultNetwork({ Image: 'x' }, 'job-net')).toEqual({
      Image: 'x',
      HostConfig: { NetworkMode: 'job-net' },
      NetworkingConfig: { EndpointsConfig: { 'job-net': {} } },
    });
  });
});
