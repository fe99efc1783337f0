import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchRoute, pathWithTarget } from '../../packages/runtime-socket/src/proxy/api-route.js';
import { checkBuild } from '../../packages/runtime-socket/src/proxy/build-query.js';
import {
  withBuildLabels,
  withLabelFilter,
  withLabels,
} from '../../packages/runtime-socket/src/proxy/label-rewrite.js';
import {
  hostOnlyRegistryRefusal,
  registryOfReference,
} from '../../packages/runtime-socket/src/proxy/registry-host.js';
import {
  checkContainerCreate,
  checkExecCreate,
  checkNetworkCreate,
  checkVolumeCreate,
  isAllowedBindPath,
  type PolicyContext,
} from '../../packages/runtime-socket/src/proxy/request-policy.js';

const OWNED: Record<string, string[]> = {
  container: ['mine'],
  network: ['mynet'],
  volume: ['myvol'],
  exec: [],
};

/** A job that owns container "mine", network "mynet" and volume "myvol"; volume "theirs" exists. */
const context: PolicyContext = {
  allowedBindPaths: ['/work/shared'],
  ownedId: async (kind, id) => ((OWNED[kind] ?? []).includes(id) ? `${kind}-id-of-${id}` : undefined),
  volumeExists: async (name) => ['myvol', 'theirs'].includes(name),
  // Engine names as the job's names here: a volume of that name exists and is not the job's.
  engineName: (_kind, name) => name,
};
const violations = async (hostConfig: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  (await checkContainerCreate({ Image: 'x', HostConfig: hostConfig, ...extra }, context)).violations;

describe('the proxy understands the engine API', () => {
  it('strips API versions and finds the addressed object', () => {
    expect(matchRoute('POST', '/v1.41/containers/abc/start')).toEqual({
      method: 'POST',
      path: '/containers/abc/start',
      name: 'container.act',
      target: { kind: 'container', id: 'abc' },
    });
    expect(matchRoute('GET', '/v1.24/containers/json?all=1').name).toBe('container.list');
    expect(matchRoute('POST', '/exec/e1/start').target).toEqual({ kind: 'exec', id: 'e1' });
    expect(matchRoute('GET', '/images/registry.local:5000/a/b:1/json').name).toBe('image.read');
    expect(matchRoute('DELETE', '/volumes/my%20vol').target).toEqual({ kind: 'volume', id: 'my vol' });
  });

  it('reads the checked routes under every API version prefix, old ones included', () => {
    for (const prefix of ['', '/v1.12', '/v1.23', '/v1.41', '/v1', '/v99.99']) {
      expect(matchRoute('POST', `${prefix}/containers/create`).name).toBe('container.create');
      expect(matchRoute('POST', `${prefix}/containers/x/update`).name).toBe('container.update');
      expect(matchRoute('POST', `${prefix}/networks/n/disconnect`).name).toBe('network.disconnect');
    }
    expect(pathWithTarget('/v1.23/containers/web/start', 'abc')).toBe('/v1.23/containers/abc/start');
    expect(pathWithTarget('/volumes/a b', 'a b')).toBe('/volumes/a%20b');
  });

  it('knows the image, prune and disk usage routes of ordinary CI work', () => {
    for (const [method, path, name] of [
      ['DELETE', '/v1.41/images/registry.local:5000/a/b:1', 'image.remove'],
      ['POST', '/images/a/b:1/tag', 'image.tag'],
      ['GET', '/images/get', 'image.save'],
      ['GET', '/images/a/b:1/get', 'image.save'],
      ['POST', '/images/load', 'image.load'],
      ['POST', '/images/prune', 'image.prune'],
      ['POST', '/commit', 'image.commit'],
      ['POST', '/containers/prune', 'container.prune'],
      ['POST', '/volumes/prune', 'volume.prune'],
      ['POST', '/networks/prune', 'network.prune'],
      ['POST', '/build/prune', 'build.prune'],
      ['GET', '/system/df', 'system.df'],
      ['POST', '/auth', 'auth'],
    ] as const) {
      expect(matchRoute(method, path).name, path).toBe(name);
    }
  });

  it('knows nothing it was not taught: everything else is unknown (and denied)', () => {
    for (const [method, path] of [
      ['POST', '/swarm/init'],
      ['POST', '/plugins/pull'],
      ['POST', '/images/busybox/push'],
      ['POST', '/session'],
      ['POST', '/grpc'],
    ] as const) {
      expect(matchRoute(method, path).name).toBe('unknown');
    }
  });
});

describe('container create policy', () => {
  it('allows an ordinary container', async () => {
    expect(
      await violations({
        Binds: ['myvol:/data', '/work/shared/x:/x:ro'],
        Mounts: [{ Type: 'tmpfs', Target: '/t' }],
      }),
    ).toEqual([]);
  });

  it('denies privileged mode, host namespaces, capabilities, devices and unconfined profiles', async () => {
    expect(
      await violations({
        Privileged: true,
        PidMode: 'host',
        NetworkMode: 'host',
        CapAdd: ['SYS_ADMIN'],
        Devices: [{ PathOnHost: '/dev/sda' }],
        SecurityOpt: [
          'seccomp=unconfined',
          'apparmor:unconfined',
          'seccomp={"defaultAction":"SCMP_ACT_ALLOW"}',
          'no-new-privileges',
        ],
        Sysctls: { 'kernel.x': '1' },
        CgroupParent: '/',
        Runtime: 'sysbox-runc',
        OomScoreAdj: -1000,
        MaskedPaths: [],
      }),
    ).toEqual([
      'privileged containers are not allowed',
      "the host's pid namespace is not allowed (--pid=host)",
      "the host's network namespace is not allowed (--network=host)",
      'adding capabilities is not allowed (--cap-add SYS_ADMIN)',
      'host devices are not allowed (--device)',
      'choosing the cgroup parent is not allowed (--cgroup-parent)',
      'security option "seccomp=unconfined" is not allowed',
      'security option "apparmor:unconfined" is not allowed',
      'custom seccomp profiles are not allowed',
      'sysctls are not allowed (--sysctl)',
      'changing masked or read-only /proc paths is not allowed',
      'OCI runtime "sysbox-runc" is not allowed',
      'a negative OOM score adjustment is not allowed',
    ]);
  });

  it("knows which registries are on the host's own addresses (the engine would reach them for the job)", () => {
    expect(registryOfReference('busybox')).toBeUndefined();
    expect(registryOfReference('library/busybox:1')).toBeUndefined();
    expect(registryOfReference('registry.example:5000/team/app:1')).toBe('registry.example:5000');
    for (const address of [
      '127.0.0.1:5000',
      'localhost',
      'https://127.0.0.2:5000/v1/',
      '[::1]:5000',
      '169.254.169.254',
      '0.0.0.0:1',
    ]) {
      expect(hostOnlyRegistryRefusal(address), address).toMatch(/host's own addresses/);
    }
    for (const address of ['registry.example:5000', 'https://index.docker.io/v1/', '10.1.2.3:5000']) {
      expect(hostOnlyRegistryRefusal(address), address).toBeUndefined();
    }
  });

  it('refuses keeping the OOM killer off a container without a memory limit', async () => {
    expect(await violations({ OomKillDisable: true })).toEqual([
      '--oom-kill-disable needs a memory limit (--memory)',
    ]);
    expect(await violations({ OomKillDisable: true, Memory: 512 * 2 ** 20 })).toEqual([]);
  });

  it('reads no-new-privileges as Go parses booleans: false, f and 0 switch it off', async () => {
    for (const value of ['false', 'FALSE', 'False', 'f', 'F', '0']) {
      expect(await violations({ SecurityOpt: [`no-new-privileges=${value}`] }), value).toEqual([
        `security option "no-new-privileges=${value}" is not allowed`,
      ]);
    }
    expect(await violations({ SecurityOpt: ['no-new-privileges=true', 'no-new-privileges:1'] })).toEqual([]);
  });

  it("denies reaching into other jobs' containers, networks and volumes", async () => {
    expect(
      await violations(
        {
          NetworkMode: 'container:theirs',
          VolumesFrom: ['theirs:ro'],
          Links: ['/theirs:db'],
          Binds: ['theirs:/data'],
        },
        { NetworkingConfig: { EndpointsConfig: { othernet: {} } } },
      ),
    ).toEqual([
      'joining the network namespace of container "theirs" is not allowed: it is not one of this job\'s containers',
      'network "othernet" is not one of this job\'s networks',
      '--volumes-from "theirs" is not allowed: it is not one of this job\'s containers',
      '--link "theirs" is not allowed: it is not one of this job\'s containers',
      'volume "theirs" is not one of this job\'s volumes',
    ]);
    expect(await violations({ NetworkMode: 'container:mine', IpcMode: 'container:mine' })).toEqual([]);
  });

  it('sends the engine the ids it checked, not the names the job used', async () => {
    const { body } = await checkContainerCreate(
      {
        HostConfig: {
          PidMode: 'container:mine',
          Cgroup: 'container:mine',
          VolumesFrom: ['mine:ro'],
        },
      },
      context,
    );
    expect(body.HostConfig).toEqual({
      PidMode: 'container:container-id-of-mine',
      Cgroup: 'container:container-id-of-mine',
      VolumesFrom: ['container-id-of-mine:ro'],
    });
  });

  it("sends links by the engine name of the container checked (networks' DNS needs names), else by its id", async () => {
    // Engine names in the job's namespace: only the job's proxy makes them, so they stand for the job's own.
    const namespaced: PolicyContext = {
      ...context,
      engineName: (_kind, name) => `job_${name}`,
      ownedId: async (kind, id) =>
        kind === 'container' && ['mine', 'job_mine', 'container-id-of-mine'].includes(id)
          ? 'container-id-of-mine'
          : undefined,
    };
    const { body } = await checkContainerCreate(
      {
        HostConfig: { Links: ['/mine:db', 'mine', 'container-id-of-mine:byid'] },
        NetworkingConfig: { EndpointsConfig: { net: { Links: ['mine:db'] } } },
      },
      namespaced,
    );
    expect(body.HostConfig).toEqual({
      Links: ['job_mine:db', 'job_mine:mine', 'container-id-of-mine:byid'],
    });
    expect(body.NetworkingConfig).toEqual({ EndpointsConfig: { net: { Links: ['job_mine:db'] } } });
  });

  it('allows only allow-listed host paths, segment by segment', async () => {
    expect(await violations({ Binds: ['/:/host'] })).toEqual([
      'bind-mounting host path "/" is not allowed (allowed: /work/shared)',
    ]);
    expect(
      await violations({ Mounts: [{ Type: 'bind', Source: '/work/shared-not', Target: '/x' }] }),
    ).toHaveLength(1);
    expect(isAllowedBindPath('/work/shared/../../etc', ['/work/shared'])).toBe(false);
    expect(isAllowedBindPath('/anything', ['/'])).toBe(false);
    expect(isAllowedBindPath('relative', ['/work'])).toBe(false);
  });

  it('follows symlinks as the engine would: a link inside an allowed path cannot lead out of it', () => {
    const allowed = mkdtempSync(join(tmpdir(), 'sandkit-allowed-'));
    try {
      mkdirSync(join(allowed, 'real'));
      symlinkSync('/', join(allowed, 'root'));
      symlinkSync(join(allowed, 'real'), join(allowed, 'inside'));
      expect(isAllowedBindPath(join(allowed, 'root'), [allowed])).toBe(false);
      expect(isAllowedBindPath(join(allowed, 'root/etc'), [allowed])).toBe(false);
      expect(isAllowedBindPath(join(allowed, 'inside'), [allowed])).toBe(true);
      expect(isAllowedBindPath(join(allowed, 'real/not/made/yet'), [allowed])).toBe(true);
      // An allowed root that is itself a link is resolved too.
      const link = `${allowed}-link`;
      symlinkSync(allowed, link);
      try {
        expect(isAllowedBindPath(join(link, 'real'), [link])).toBe(true);
        expect(isAllowedBindPath(join(link, 'root'), [link])).toBe(false);
      } finally {
        rmSync(link);
      }
    } finally {
      rmSync(allowed, { recursive: true, force: true });
    }
  });

  it('returns named volumes that do not exist yet, so the proxy creates them labelled', async () => {
    const result = await checkContainerCreate(
      { HostConfig: { Binds: ['fresh:/a'], Mounts: [{ Type: 'volume', Source: 'fresh2', Target: '/b' }] } },
      context,
    );
    expect(result).toMatchObject({ violations: [], volumesToCreate: ['fresh', 'fresh2'] });
  });
});

describe('other create policies', () => {
  it('deny privileged exec, host-reaching networks, volume driver options and host-network builds', async () => {
    expect(checkExecCreate({ Privileged: true })).toHaveLength(1);
    expect(checkExecCreate({ Cmd: ['sh'] })).toEqual([]);
    expect(checkNetworkCreate({ Driver: 'macvlan', Options: { parent: 'eth0' } }).violations).toEqual([
      'network driver "macvlan" is not allowed (only bridge networks)',
      'network option "parent" is not allowed',
    ]);
    expect(
      checkNetworkCreate({ Name: 'n', Options: { 'com.docker.network.bridge.enable_icc': 'false' } }),
    ).toEqual({
      violations: [],
      body: { Name: 'n', Options: { 'com.docker.network.bridge.enable_icc': 'false' }, CheckDuplicate: true },
    });
    expect(checkVolumeCreate({ DriverOpts: { type: 'none', o: 'bind', device: '/' } })).toHaveLength(1);
    expect(checkVolumeCreate({ Name: 'v', Driver: 'local' })).toEqual([]);
    expect(await checkBuild(new URLSearchParams({ networkmode: 'host' }), context)).toHaveLength(1);
    // BuildKit shares cache mounts between jobs and tags what its outputs name.
    expect(await checkBuild(new URLSearchParams({ version: '2' }), context)).toEqual([
      'BuildKit builds are not allowed: only the classic builder (DOCKER_BUILDKIT=0) is guarded',
    ]);
    expect(
      await checkBuild(
        new URLSearchParams({ outputs: '[{"Type":"moby","Attrs":{"name":"victim:3"}}]' }),
        context,
      ),
    ).toEqual(['build outputs are not allowed: tag images with -t']);
    expect(await checkBuild(new URLSearchParams({ version: '1', t: 'mine:1' }), context)).toEqual([]);
    expect(await checkBuild(new URLSearchParams({ networkmode: 'othernet' }), context)).toEqual([
      'build network "othernet" is not one of this job\'s networks',
    ]);
    expect(await checkBuild(new URLSearchParams({ networkmode: 'mynet', t: 'x', rm: '1' }), context)).toEqual(
      [],
    );
    expect(
      await checkBuild(new URLSearchParams({ cgroupparent: '/', remote: 'http://127.0.0.1/' }), context),
    ).toHaveLength(2);
    expect(await checkBuild(new URLSearchParams({ NetworkMode: 'host' }), context)).toEqual([
      'build parameter "NetworkMode" is not accepted',
    ]);
  });
});

describe('label rewriting', () => {
  it('puts the sandbox labels on created objects; the job cannot override them in any case', () => {
    expect(
      withLabels(
        { Labels: { a: '1', 'dev.sandkit.sandbox': 'forged', 'DEV.Sandkit.Session': 'forged' } },
        { 'dev.sandkit.sandbox': 'real' },
      ),
    ).toEqual({
      Labels: { a: '1', 'dev.sandkit.sandbox': 'real' },
    });
  });

  it("scopes list filters to the sandbox, keeping the job's own filters in either encoding", () => {
    const scoped = (filters?: unknown) =>
      JSON.parse(
        withLabelFilter(
          new URLSearchParams(filters ? { filters: JSON.stringify(filters) } : {}),
          'k',
          'v',
        ).get('filters') as string,
      );
    expect(scoped()).toEqual({ label: ['k=v'] });
    expect(scoped({ status: ['running'], label: ['app=web'] })).toEqual({
      status: ['running'],
      label: ['app=web', 'k=v'],
    });
    expect(scoped({ label: { 'app=web': true } })).toEqual({ label: { 'app=web': true, 'k=v': true } });
    // The docker CLI's encoding: the proxy's filter joins in the same form, or the engine reads neither.
    expect(scoped({ name: { web: true } })).toEqual({ name: { web: true }, label: { 'k=v': true } });
    expect(scoped({ dangling: ['true'] })).toEqual({ dangling: ['true'], label: ['k=v'] });
    expect(() => scoped({ name: { web: true }, status: ['running'] })).toThrow(/mixes encodings/);
    expect(() => scoped(['label'])).toThrow(/must be a JSON object/);
  });

  it('labels built images', () => {
    expect(
      JSON.parse(
        withBuildLabels(new URLSearchParams({ labels: '{"a":"1"}' }), { k: 'v' }).get('labels') as string,
      ),
    ).toEqual({ a: '1', k: 'v' });
  });
});
