#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { isSandkitError } from '@sandkit/core';
import { Command, Option } from 'commander';
import {
  clusterDownCommand,
  clusterLsCommand,
  clusterUpCommand,
  DEFAULT_NODE_IMAGE,
} from './commands/cluster.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { gcCommand } from './commands/gc.js';
import { lsCommand } from './commands/ls.js';
import { RUN_FAILED_EXIT_CODE, runCommand } from './commands/run.js';
import { seedBuildCommand, seedGcCommand, seedLsCommand, seedMkstoreCommand } from './commands/seed.js';
import { setupCommand } from './commands/setup.js';

const program = new Command('sandkit')
  .description(
    'Throwaway sandboxes on a Docker engine: system containers with their own daemon, or guarded sibling containers.',
  )
  .version(cliVersion(), '-V, --version', "print sandkit's version")
  .showHelpAfterError();

/** The version in this package's package.json. */
function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

const json = new Option('--json', 'machine-readable output (JSON)');
const seedStore = new Option('--seed-store <dir>', 'seed store directory (default /var/lib/sandkit/seed)');
const allowInsecure = new Option(
  '--allow-insecure',
  'without Sysbox, run isolated sandboxes as privileged-equivalent containers (INSECURE; trusted jobs only)',
);

/** Collects a repeatable option's values. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Runs a command action and exits with its code; errors print their message,
 * not a stack, and exit with `failureCode`.
 */
function action<A extends unknown[]>(run: (...args: A) => Promise<number>, failureCode = 1) {
  return async (...args: A) => {
    try {
      process.exitCode = await run(...args);
    } catch (error) {
      process.stderr.write(
        `sandkit: ${isSandkitError(error) || error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = failureCode;
    }
  };
}

program
  .command('doctor')
  .description(
    'check the engine, runtimes, kernel, Kubernetes node support and seed store, with what to do next',
  )
  .addOption(json)
  .addOption(seedStore)
  .addOption(allowInsecure)
  .action(action((options) => doctorCommand(options)));

program
  .command('setup')
  .description(
    'make sure a Docker engine answers (installing and starting one as root on Debian/Ubuntu) and build the offline images',
  )
  .addOption(json)
  .action(action((options) => setupCommand(options)));

program
  .command('run')
  .description(
    'create a sandbox, run a command in it with its output streamed, exit with its code, and clean up',
  )
  .argument('<image>', 'the sandbox image')
  .argument('[command...]', 'the command, after --')
  .addOption(
    new Option('--docker <access>', 'engine access for the job')
      .choices(['none', 'shared', 'isolated'])
      .default('none'),
  )
  .option('--runtime <name>', 'use this runtime (sysbox, socket) instead of choosing')
  .option(
    '--seed <image>',
    'an image to seed the inner daemon with (docker isolated; repeatable)',
    collect,
    [],
  )
  .option('-e, --env <NAME=value>', 'an environment variable (repeatable)', collect, [])
  .option('--timeout <seconds>', 'kill the command after this long (exit code 124)')
  .addOption(allowInsecure)
  .addOption(json)
  .action(
    action(
      (image: string, command: string[], options) => runCommand(image, command, options),
      RUN_FAILED_EXIT_CODE,
    ),
  );

const seed = program.command('seed').description('golden data roots for seeded sandboxes');
seed
  .command('build')
  .description('build (or find) the golden for a seed set')
  .argument('<images...>', 'images on the host engine to seed')
  .requiredOption('--image <sandbox-image>', 'the sandbox image whose inner daemon will use the golden')
  .addOption(allowInsecure)
  .addOption(seedStore)
  .addOption(json)
  .action(action((images: string[], options) => seedBuildCommand(images, options)));
seed
  .command('ls')
  .description('list goldens and their live clones')
  .addOption(seedStore)
  .addOption(json)
  .action(action((options) => seedLsCommand(options)));
seed
  .command('gc')
  .description('remove goldens no live sandbox uses')
  .option('--idle-minutes <n>', 'spare goldens used more recently than this', '10')
  .addOption(seedStore)
  .addOption(json)
  .action(action((options) => seedGcCommand(options)));
seed
  .command('mkstore')
  .description(
    'create a loop-mounted XFS (reflink) or btrfs seed store, for copy-on-write clones on hosts that have neither',
  )
  .requiredOption('--size <size>', 'file system size, e.g. 20G')
  .addOption(new Option('--fs <type>', 'file system').choices(['xfs', 'btrfs']).default('xfs'))
  .addOption(seedStore)
  .addOption(json)
  .action(action((options) => seedMkstoreCommand(options)));

const cluster = program
  .command('cluster')
  .description('clusters of isolated sandboxes on a network of their own (Docker Swarm or Kubernetes)');
cluster
  .command('up')
  .description(
    'create a seeded cluster that outlives this command (until `cluster down` or its ttl), with progress per node',
  )
  .option('--name <name>', 'cluster name', 'cluster')
  .option('--managers <n>', 'manager nodes', '1')
  .option('--workers <n>', 'worker nodes', '2')
  .option('--image <image>', 'the node image (needs dockerd)', DEFAULT_NODE_IMAGE)
  .option('--seed <image>', 'an image to seed every node with, from one golden (repeatable)', collect, [])
  .addOption(
    new Option('--preset <preset>', 'what makes the nodes one cluster')
      .choices(['swarm', 'kubernetes', 'kubeadm', 'none'])
      .default('swarm'),
  )
  .option(
    '--kubernetes-binaries <dir>',
    'with --preset kubernetes|kubeadm: the Kubernetes executables the images are built from',
  )
  .option(
    '--kubeconfig <file>',
    'with --preset kubernetes|kubeadm: where to write the kubeconfig (default NAME.kubeconfig)',
  )
  .option('--ttl <minutes>', 'remove the cluster after this long', '60')
  .addOption(allowInsecure)
  .addOption(seedStore)
  .addOption(json)
  .action(action((options) => clusterUpCommand(options)));
cluster
  .command('ls')
  .description('list clusters and their nodes')
  .addOption(json)
  .action(action((options) => clusterLsCommand(options)));
cluster
  .command('down')
  .description('remove clusters (every node, the network, host paths), by name or id')
  .argument('<names...>', 'cluster names or ids')
  .addOption(json)
  .action(action((names: string[], options) => clusterDownCommand(names, options)));

program
  .command('ls')
  .description('list live sandboxes by session')
  .addOption(json)
  .action(action((options) => lsCommand(options)));
program
  .command('gc')
  .description('remove expired and orphaned sandboxes, networks, volumes, host paths and unused goldens')
  .addOption(seedStore)
  .addOption(json)
  .action(action((options) => gcCommand(options)));

program
  .command('demo')
  .description(
    "sandkit's main job: a seeded sandbox with its own Docker daemon runs a web server and a client",
  )
  .addOption(allowInsecure)
  .addOption(seedStore)
  .addOption(json)
  .action(action((options) => demoCommand(options)));

await program.parseAsync();
