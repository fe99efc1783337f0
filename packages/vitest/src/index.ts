/**
 * sandkit for vitest: `sandboxTest()` gives each test a throwaway sandbox,
 * `sandkitGlobalSetup()` prepares images and seeds once per run and sweeps
 * after it.
 * @packageDocumentation
 */
export { type SandkitGlobalSetupOptions, sandkitGlobalSetup } from './global-setup.js';
export {
  type SandboxTestFixtures,
  type SandboxTestOptions,
  type SandboxWorkerFixtures,
  sandboxTest,
} from './sandbox-test.js';
