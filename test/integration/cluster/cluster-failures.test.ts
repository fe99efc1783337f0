import { readdir } from 'node:fs/promises';
import {
  CancelledError,
  ClusterFailedError,
  type ClusterPreset,
  InvalidSpecError,
  type SandboxSpec,
  Sandkit,
} from '@sandkit/core';
import { sysbox } from '@sandkit/runtime-sysbox';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { leftovers, NOTHING_LEFT } from '../../support/engine.js';
import { SYSTEM_CONTAINER_MODES } from '../../support/system-container-modes.js';
import { tempDir } from '../../support/temp-dir.js';

const images = inject('images');
const node: SandboxSpec = { image: images.dind, pull: 'never', trust: 'trusted' };

/** A preset that bootstraps nothing and fails the join of one node. */
function failingJoin(failOn: string): ClusterPreset<undefined> {
  return {
    name: 'failing-join',
    validate: () => [],
    bootstrapNode: (nodes) => (nodes[0] as { name: string }).name,
    bootstrap: async () => undefined,
    join: async (joining) => {
      if (joining.name === failOn) throw new Error(`${joining.name} refuses to join`);
    },
    settle: async () => {},
  };
}

/** A preset whose last step waits until it is cancelled. */
const neverSettles: ClusterPreset<undefined> = {
  ...failingJoin('none'),
  settle: (_node, _nodes, _state, { signal }) =>
    new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
};

for (const mode of SYSTEM_CONTAINER_MODES)
  describe.skipIf(mode.skipReason !== undefined)(`a cluster that cannot be made (${mode.name})`, () => {
    let sk: Sandkit;
    let stateDir: string;

    beforeEach(async () => {
      stateDir = await tempDir('sandkit-cluster-fail-');
      // Two creates at a time: of three nodes, the third starts once one of the first two is ready.
      sk = new Sandkit({ runtimes: [sysbox({ ...mode.options, stateDir })], concurrency: 2 });
    });
    afterEach(async () => {
      await sk.close();
    });

    /** Nothing of the session on the engine, and no host directory of any node. */
    async function nothingLeft() {
      expect(await leftovers({ session: sk.session.id }, { sessionNetworkKept: true })).toEqual(NOTHING_LEFT);
      expect(await readdir(stateDir)).toEqual([]);
    }

    it('rejects an invalid spec of one role with InvalidSpecError, naming it, before creating anything', async () => {
      const error = await sk
        .cluster({
          nodes: { manager: { count: 1 }, worker: { count: 2, spec: { resources: { cpus: -1 } } } },
          spec: node,
        })
        .catch((e: unknown) => e);
      expect(InvalidSpecError.is(error)).toBe(true);
      expect((error as InvalidSpecError).issues.map((i) => i.path)).toEqual([
        'nodes.worker.spec.resources.cpus',
      ]);
      await nothingLeft();
    });

    it("applies the node runtime's own rules to every role first", async () => {
      const error = await sk
        .cluster({
          nodes: { manager: { count: 1 }, worker: { count: 1, spec: { env: { SYSBOX_X: '1' } } } },
          spec: node,
        })
        .catch((e: unknown) => e);
      expect(InvalidSpecError.is(error)).toBe(true);
      expect((error as InvalidSpecError).issues.map((i) => i.path)).toEqual([
        'nodes.worker.spec.env.SYSBOX_X',
      ]);
      await nothingLeft();
    });

    it('removes every node and the network when aborted while the nodes are being created', async () => {
      const abort = new AbortController();
      sk.on('node', ({ phase }) => {
        if (phase === 'starting the container') abort.abort(new Error('enough'));
      });
      const error = await sk
        .cluster({ nodes: 3, spec: node }, { signal: abort.signal })
        .catch((e: unknown) => e);
      expect(CancelledError.is(error)).toBe(true);
      await nothingLeft();
    });

    it('times out as a whole, the preset included, leaving nothing', async () => {
      const error = await sk
        .cluster({ nodes: 3, spec: node, preset: neverSettles }, { timeoutMs: 5_000 })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: CancelledError.timedOutCode, timedOut: true });
      await nothingLeft();
    });

    it('fails with ClusterFailedError naming the node that could not be created, removing the nodes already made', async () => {
      const ready: string[] = [];
      sk.on('node', ({ node: name, phase }) => phase === 'ready' && ready.push(name));
      const error = await sk
        .cluster({
          nodes: {
            manager: { count: 1 },
            worker: { count: 1 },
            broken: { count: 1, spec: { image: 'sandkit-test/absent:1' } },
          },
          spec: node,
        })
        .catch((e: unknown) => e);
      expect(ClusterFailedError.is(error)).toBe(true);
      expect(error).toMatchObject({ node: 'broken-1', step: 'create' });
      expect(ready.length).toBeGreaterThan(0);
      await nothingLeft();
    });

    it("fails with ClusterFailedError when the preset's step fails on one node, removing every node", async () => {
      const error = await sk
        .cluster({
          nodes: { manager: { count: 1 }, worker: { count: 2 } },
          spec: node,
          preset: failingJoin('worker-2'),
        })
        .catch((e: unknown) => e);
      expect(ClusterFailedError.is(error)).toBe(true);
      expect(error).toMatchObject({
        node: 'worker-2',
        step: 'join',
        message: expect.stringContaining('refuses to join'),
      });
      await nothingLeft();
    });
  });
