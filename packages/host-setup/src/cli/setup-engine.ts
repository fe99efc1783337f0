#!/usr/bin/env node
/** `pnpm setup:engine`: makes sure a Docker engine answers, installing and starting one if this host can. */
import { ensureEngine } from '../engine/ensure-engine.js';

try {
  const engine = await ensureEngine({ log: (line) => console.log(`[engine] ${line}`) });
  console.log(`[engine] ready at ${engine.address}`);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
