import { existsSync, readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import type { Engine } from '@sandkit/core';
import { connectEngine, describeEngine, swarmLimits } from '@sandkit/core/runtime';
import {
  DEFAULT_SEED_STORE,
  detectPrivilegeMode,
  detectSeedStore,
  detectSysbox,
} from '@sandkit/runtime-sysbox';
import { outputMode } from '../output/reporter.js';
import { kubernetesNodeCheck } from './doctor-kubernetes-node.js';

/** One line of `sandkit doctor`: what was checked, how it went, and what to do next. */
export interface DoctorCheck {
  check: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  next?: string;
}

/** Everything `sandkit doctor` looks at, in order. */
export async function runDoctorChecks(
  options: { seedStore?: string; allowInsecure?: boolean } = {},
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (check: DoctorCheck) => checks.push(check);
  let engine: Engine | undefined;
  try {
    engine = await connectEngine();
    const facts = await describeEngine(engine);
    add({
      check: 'engine',
      status: 'pass',
      detail: `${facts.engine}: Docker ${facts.engineVersion}, API ${facts.apiVersion}, storage ${facts.storageDriver}`,
    });
    add({ check: 'kernel', status: 'pass', detail: facts.kernel ?? 'unknown' });
    add({
      check: 'cgroups',
      status: 'pass',
      detail: `cgroup v${facts.cgroupVersion} (${facts.cgroupDriver} driver)`,
    });
  } catch (error) {
    add({
      check: 'engine',
      status: 'fail',
      detail: (error as Error).message.split('\n')[0] ?? 'no engine',
      next: 'run `sandkit setup` as root on Debian/Ubuntu, or start Docker and point DOCKER_HOST at it',
    });
  }
  if (engine) {
    const sysbox = await detectSysbox(engine, 'sysbox-runc');
    if (sysbox.installed) {
      add({
        check: 'sysbox',
        status: 'pass',
        detail: `sysbox-runc is registered (${sysbox.version ?? sysbox.path})`,
      });
    } else {
      const mode = await detectPrivilegeMode(engine).catch(() => undefined);
      add({
        check: 'sysbox',
        status: 'warn',
        detail: `the engine lists no sysbox-runc runtime; docker: "isolated" needs --allow-insecure (fallback: ${mode?.kind ?? 'unknown'}${mode?.kind === 'explicit-capabilities' ? `, engine cannot grant ${mode.unavailable.join(', ')}` : ''})`,
        next: 'install Sysbox (https://github.com/nestybox/sysbox) for unprivileged isolated sandboxes',
      });
    }
  }
  const maxUserNamespaces = readNumber('/proc/sys/user/max_user_namespaces');
  add(
    maxUserNamespaces && maxUserNamespaces > 0
      ? { check: 'user namespaces', status: 'pass', detail: `enabled (max ${maxUserNamespaces})` }
      : {
          check: 'user namespaces',
          status: 'warn',
          detail: 'disabled or unknown',
          next: 'Sysbox needs user namespaces: sysctl user.max_user_namespaces=15000',
        },
  );
  const [major = 0, minor = 0] = (
    readFileSync('/proc/sys/kernel/osrelease', 'utf8').match(/^(\d+)\.(\d+)/) ?? []
  )
    .slice(1)
    .map(Number);
  const idMapped = major > 5 || (major === 5 && minor >= 12);
  add(
    idMapped
      ? {
          check: 'id-mapped mounts',
          status: 'pass',
          detail: `kernel ${major}.${minor} supports them (Sysbox bind mounts keep host ownership)`,
        }
      : {
          check: 'id-mapped mounts',
          status: 'warn',
          detail: `kernel ${major}.${minor} is older than 5.12`,
          next: 'Sysbox then needs shiftfs for bind mounts',
        },
  );
  // Sandboxes share the host's kernel: what it has is what a swarm cluster's overlay networks get.
  const kernel = {
    vxlan: existsSync('/sys/module/vxlan'),
    ipvs: existsSync('/sys/module/ip_vs') || existsSync('/proc/net/ip_vs'),
  };
  const limits = swarmLimits(kernel);
  add({
    check: 'cluster networking',
    status: limits.length === 0 ? 'pass' : kernel.vxlan ? 'warn' : 'fail',
    detail: `VXLAN ${kernel.vxlan ? 'yes' : 'no'}, IPVS ${kernel.ipvs ? 'yes' : 'no'}${limits.length ? `: ${limits.join('; ')}` : ': swarm overlay networks, virtual IPs and the routing mesh work'}`,
    ...(!kernel.ipvs
      ? {
          next: 'swarm clusters: create services with --endpoint-mode dnsrr (createSwarmService does by default here)',
        }
      : {}),
  });
  if (engine) add(await kubernetesNodeCheck(engine, options));
  const storeRoot = options.seedStore ?? DEFAULT_SEED_STORE;
  try {
    const store = await detectSeedStore(storeRoot);
    add({
      check: 'seed store',
      status: store.cloneMethod === 'copy' ? 'warn' : 'pass',
      detail: `${storeRoot} on ${store.fileSystem}: ${store.reason}`,
      ...(store.cloneMethod === 'copy'
        ? { next: 'put the seed store on btrfs or XFS (reflink=1) for copy-on-write clones' }
        : {}),
    });
    const fs = await statfs(storeRoot);
    const freeGiB = (fs.bavail * fs.bsize) / 1024 ** 3;
    add({
      check: 'free disk',
      status: freeGiB < 5 ? 'warn' : 'pass',
      detail: `${freeGiB.toFixed(1)} GiB free for the seed store`,
      ...(freeGiB < 5 ? { next: 'seed sets need their size once (CoW) or per sandbox (copy, load)' } : {}),
    });
  } catch (error) {
    add({
      check: 'seed store',
      status: 'fail',
      detail: `${storeRoot}: ${(error as Error).message}`,
      next: 'run as root or pass --seed-store DIR',
    });
  }
  if (!existsSync('/dev/loop-control')) {
    add({
      check: 'loop devices',
      status: 'warn',
      detail: 'no /dev/loop-control',
      next: 'loop-backed seed stores (`sandkit seed mkstore`) need loop devices',
    });
  }
  return checks;
}

function readNumber(path: string): number | undefined {
  try {
    return Number(readFileSync(path, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** `sandkit doctor`: prints each check; exits non-zero when one fails. */
export async function doctorCommand(options: {
  json?: boolean;
  seedStore?: string;
  allowInsecure?: boolean;
}): Promise<number> {
  const checks = await runDoctorChecks(options);
  if (outputMode(options.json) === 'json') {
    process.stdout.write(`${JSON.stringify({ checks }, null, 2)}\n`);
  } else {
    const mark = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;
    for (const c of checks) {
      process.stdout.write(`${mark[c.status]}  ${c.check.padEnd(17)} ${c.detail}\n`);
      if (c.next) process.stdout.write(`      ${''.padEnd(17)} → ${c.next}\n`);
    }
  }
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}
