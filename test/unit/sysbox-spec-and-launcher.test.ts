import { describe, expect, it } from 'vitest';
import {
  innerDaemonArgs,
  launcherScript,
} from '../../packages/runtime-sysbox/src/inner-daemon/launcher-script.js';
import { kubernetesNodeHostConfig } from '../../packages/runtime-sysbox/src/profiles/kubernetes-node/node-host-config.js';
import { kubernetesNodePreparation } from '../../packages/runtime-sysbox/src/profiles/kubernetes-node/node-preparation.js';
import { validateSysboxSpec } from '../../packages/runtime-sysbox/src/validate-sysbox-spec.js';

describe('sysbox runtime spec rules', () => {
  it('accepts an isolated sandbox', () => {
    expect(validateSysboxSpec({ image: 'docker:dind', docker: 'isolated', env: { APP: '1' } })).toEqual([]);
  });

  it('wants docker: isolated and says where the other modes live', () => {
    expect(validateSysboxSpec({ image: 'docker:dind' })).toEqual([
      {
        path: 'docker',
        problem: 'the sysbox runtime gives every sandbox its own Docker daemon, but docker is "none"',
        allowed:
          '"isolated" here (or "none" with profile: "kubernetes-node", for node images with their own init); the socket runtime for "none" or "shared"',
      },
    ]);
  });

  it('prepares a profile only where its own launcher starts the container', () => {
    const node = { image: 'node', docker: 'isolated', profile: 'kubernetes-node' } as const;
    expect(validateSysboxSpec(node)).toEqual([]);
    expect(validateSysboxSpec(node, { startedBy: 'image' }).map((i) => i.path)).toEqual(['profile']);
  });

  it('runs a Kubernetes node without an inner daemon only when its image brings its own init', () => {
    expect(validateSysboxSpec({ image: 'kindest/node', docker: 'none', profile: 'kubernetes-node' })).toEqual(
      [],
    );
    expect(validateSysboxSpec({ image: 'busybox', docker: 'none' }).map((i) => i.path)).toEqual(['docker']);
  });

  it('rejects SYSBOX_* variables, which Sysbox refuses', () => {
    const issues = validateSysboxSpec({ image: 'x', docker: 'isolated', env: { sysbox_honor_caps: 'TRUE' } });
    expect(issues.map((i) => i.path)).toEqual(['env.sysbox_honor_caps']);
  });
});

describe('the kubernetes-node profile', () => {
  it("never writes the host's kernel settings on the fallback, which shares them", () => {
    const fallback = kubernetesNodePreparation(false);
    expect(fallback).toContain('mount --bind "$shown" "$file"');
    expect(fallback).not.toMatch(/> "\/proc\/sys\/\$\{setting/);
    // Under Sysbox they are the container's own: written as the kubelet wants them.
    expect(kubernetesNodePreparation(true)).toMatch(/> "\/proc\/sys\/\$\{setting/);
  });

  it('gives the fallback what Sysbox gives unprivileged: its own cgroup root and a null /dev/kmsg', () => {
    expect(kubernetesNodeHostConfig({ rights: 'sysbox', localEngine: false })).toEqual({ Binds: [] });
    expect(kubernetesNodeHostConfig({ rights: 'explicit-capabilities', localEngine: false })).toEqual({
      Binds: [],
      CgroupnsMode: 'private',
      Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/kmsg', CgroupPermissions: 'rwm' }],
      // As --privileged: the node's runtime may grant a privileged Pod every device.
      DeviceCgroupRules: ['a *:* rwm'],
    });
    // A privileged container has the host's devices already.
    expect(kubernetesNodeHostConfig({ rights: 'privileged', localEngine: false })).toEqual({
      Binds: [],
      CgroupnsMode: 'private',
    });
  });
});

describe('the inner daemon launcher', () => {
  it('prepares the container for its profile before the inner daemon starts', () => {
    const script = launcherScript({}, { remountCgroups: false, preparation: 'mount --make-rshared /' });
    expect(script.indexOf('mount --make-rshared /')).toBeLessThan(script.indexOf('dockerd $DOCKERD_ARGS'));
  });

  it('pins the storage driver, the bridge and the address pool, and listens on both sockets', () => {
    expect(innerDaemonArgs({})).toEqual([
      '--host=unix:///var/run/docker.sock',
      '--host=unix:///run/sandkit/docker.sock',
      '--data-root=/var/lib/docker',
      '--storage-driver=overlay2',
      '--bip=10.199.0.1/24',
      '--default-address-pool=base=10.200.0.0/16,size=24',
    ]);
    expect(
      innerDaemonArgs({
        bridgeIp: '10.9.0.1/24',
        addressPool: { base: '10.8.0.0/16', size: 26 },
        extraArgs: ['--debug'],
      }),
    ).toContain('--default-address-pool=base=10.8.0.0/16,size=26');
  });

  it('remounts cgroups only when the fallback needs it, and removes stale pid files', () => {
    expect(launcherScript({}, { remountCgroups: true })).toContain('mount -o remount,bind,rw');
    expect(launcherScript({}, { remountCgroups: false })).not.toContain('remount');
    expect(launcherScript({}, { remountCgroups: false })).toContain('rm -f /var/run/docker.pid');
  });

  it('runs dockerd as the main process, or in the background when the sandbox has its own command', () => {
    const script = launcherScript({}, { remountCgroups: false });
    expect(script).toContain('if [ "$#" -eq 0 ]; then exec dockerd $DOCKERD_ARGS; fi');
    expect(script).toContain('exec "$@"');
  });

  it('refuses daemon arguments it would have to quote', () => {
    expect(() => launcherScript({ extraArgs: ['--label=a b'] }, { remountCgroups: false })).toThrow(
      /does not quote/,
    );
    expect(() => launcherScript({ extraArgs: ['--x=$(reboot)'] }, { remountCgroups: false })).toThrow(
      /does not quote/,
    );
  });
});
