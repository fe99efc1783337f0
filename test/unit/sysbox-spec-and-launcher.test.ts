import { describe, expect, it } from 'vitest';
import {
  innerDaemonArgs,
  launcherScript,
} from '../../packages/runtime-sysbox/src/inner-daemon/launcher-script.js';
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
        allowed: '"isolated" here; the socket runtime for "none" or "shared"',
      },
    ]);
  });

  it('rejects SYSBOX_* variables, which Sysbox refuses', () => {
    const issues = validateSysboxSpec({ image: 'x', docker: 'isolated', env: { sysbox_honor_caps: 'TRUE' } });
    expect(issues.map((i) => i.path)).toEqual(['env.sysbox_honor_caps']);
  });
});

describe('the inner daemon launcher', () => {
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
    expect(launcherScript({}, true)).toContain('mount -o remount,bind,rw');
    expect(launcherScript({}, false)).not.toContain('remount');
    expect(launcherScript({}, false)).toContain('rm -f /var/run/docker.pid');
  });

  it('runs dockerd as the main process, or in the background when the sandbox has its own command', () => {
    const script = launcherScript({}, false);
    expect(script).toContain('if [ "$#" -eq 0 ]; then exec dockerd $DOCKERD_ARGS; fi');
    expect(script).toContain('exec "$@"');
  });

  it('refuses daemon arguments it would have to quote', () => {
    expect(() => launcherScript({ extraArgs: ['--label=a b'] }, false)).toThrow(/does not quote/);
    expect(() => launcherScript({ extraArgs: ['--x=$(reboot)'] }, false)).toThrow(/does not quote/);
  });
});
