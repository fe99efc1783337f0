import { describe, expect, it } from 'vitest';

/**
 * The names each entry point exports. Growing or shrinking an entry is a
 * deliberate change to sandkit's API: update the list here in the same commit.
 */
const ENTRY_POINTS: Record<string, string[]> = {
  '@sandkit/core': [
    'CancelledError',
    'CopyFailedError',
    'EngineRequestError',
    'EngineUnreachableError',
    'ExecCancelledError',
    'ExecFailedError',
    'ExecOutputTooLargeError',
    'ExecTimedOutError',
    'FileNotFoundError',
    'ImagePullError',
    'InvalidArgumentError',
    'InvalidSpecError',
    'NotAFileError',
    'PolicyDeniedError',
    'RuntimeUnavailableError',
    'SandboxDestroyedError',
    'SandboxNotRunningError',
    'SandboxPool',
    'Sandkit',
    'SandkitError',
    'SeedFailedError',
    'StartFailedError',
    'createSession',
    'findSpecIssues',
    'isSandkitError',
  ],
  '@sandkit/core/runtime': [
    'ContainerSandbox',
    'INHERITED_LABEL_OVERRIDES',
    'LABEL',
    'assertStillRunning',
    'assertValidCreateOptions',
    'assertValidSession',
    'assertValidSpec',
    'combineSignals',
    'connectEngine',
    'createContainerSandbox',
    'currentOwner',
    'defaultSession',
    'delay',
    'demuxStream',
    'describeEngine',
    'engineFromSource',
    'engineLabelFilters',
    'ensureImage',
    'forgetHostPaths',
    'formatOwner',
    'hostPathsLabel',
    'ignoreMissing',
    'imageExists',
    'isOwnerDead',
    'journalHostPaths',
    'labelledVolumeMount',
    'loadImages',
    'logTail',
    'processStartTime',
    'removeHostPaths',
    'runExec',
    'sandboxContainerName',
    'sandboxLabels',
    'saveImages',
    'toSandkitError',
    'unavailableProbe',
    'unixSocketClient',
    'withFileLock',
    'withTimeout',
  ],
  '@sandkit/runtime-socket': ['SOCKET_RUNTIME', 'SocketRuntime', 'socket'],
  '@sandkit/runtime-sysbox': [
    'DEFAULT_SEED_STORE',
    'SYSBOX_RUNTIME',
    'SysboxRuntime',
    'createLoopStore',
    'detectPrivilegeMode',
    'detectSeedStore',
    'detectSysbox',
    'gcGoldens',
    'listGoldens',
    'removeLoopStore',
    'sysbox',
  ],
};

describe('public entry points', () => {
  for (const [entry, names] of Object.entries(ENTRY_POINTS)) {
    it(`${entry} exports exactly its intended names`, async () => {
      const module: Record<string, unknown> = await import(entry);
      expect(Object.keys(module).sort()).toEqual([...names].sort());
    });
  }
});
