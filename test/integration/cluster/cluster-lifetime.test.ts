import { readdir } from 'node:fs/promises';
import { CancelledError, type SandboxSpec, Sandkit } from '@sandkit/core';
import { sysbox } from '@sandkit/runtime-sysbox';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { leftovers, NOTHING_LEFT } from '../../support/engine.js';
import { SYSTEM_CONTAINER_MODES } from '../../support/system-container-modes.js';
import { tempDir } from '../../support/temp-dir.js';

const images = inject('images');
const node: SandboxSpec = { image: images.dind, pull: 'never', trust: 'trusted' };

for (const mode of SYSTEM_CONTAINER_MODES)
  describe.skipIf(mode.skipReason !== undefined)(`a cluster's end (${mode.name})`, () => {
    let sk: Sandkit;
    let stateDir: string;

    beforeEach(async () => {
      stateDir = await tempDir('sandkit-cluster-end-');
      sk = new Sandkit({ runtimes: [sysbox({ ...mode.options, stateDir })] });
    });
    afterEach(async () => {
      await sk.close();
    });

    async function nothingLeft() {
      expect(await leftovers({ session: sk.session.id }, { sessionNetworkKept: true })).toEqual(NOTHING_LEFT);
      expect(await readdir(stateDir)).toEqual([]);
    }

    it('comes with the Sandkit that made it: close() removes it', async () => {
      const cluster = await sk.cluster({ nodes: 2, spec: node });
      expect(sk.clusters).toEqual([cluster]);
      await sk.close();
      await nothingLeft();
    });

    it('is removed even when destroy() stops waiting: a later destroy() waits for the same removal', async () => {
      const cluster = await sk.cluster({ nodes: 2, spec: node });
      const error = await cluster.destroy({ signal: AbortSignal.abort() }).catch((e: unknown) => e);
      expect(CancelledError.is(error)).toBe(true);
      await cluster.destroy();
      await nothingLeft();
    });

    it('outlives none of its nodes: one destroyed on its own first, the cluster still goes as one', async () => {
      const cluster = await sk.cluster({ nodes: 2, spec: node });
      await cluster.node('node-2').destroy();
      expect((await leftovers({ cluster: cluster.id })).containers).toHaveLength(1);
      await cluster.destroy();
      await nothingLeft();
    });
  });
