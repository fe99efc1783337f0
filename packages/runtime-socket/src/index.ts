export { hardenedHostConfig, SANDBOX_CAPABILITIES } from './hardening.js';
export { type ApiRoute, matchRoute, type ObjectKind, stripVersion } from './proxy/api-route.js';
export {
  type EngineProxy,
  type EngineProxyOptions,
  MAX_INSPECTED_BODY,
  startEngineProxy,
} from './proxy/engine-proxy.js';
export { withBuildLabels, withLabelFilter, withLabels } from './proxy/label-rewrite.js';
export {
  checkBuild,
  checkContainerCreate,
  checkExecCreate,
  checkNetworkCreate,
  checkVolumeCreate,
  isAllowedBindPath,
  type PolicyContext,
} from './proxy/request-policy.js';
export { SOCKET_RUNTIME, SocketRuntime, type SocketRuntimeOptions, socket } from './socket-runtime.js';
