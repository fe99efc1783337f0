export { hardenedHostConfig, SANDBOX_CAPABILITIES } from './hardening.js';
export {
  type ApiRoute,
  matchRoute,
  type ObjectKind,
  pathWithTarget,
  stripVersion,
} from './proxy/api-route.js';
export { DockerfileRewrite } from './proxy/build-context.js';
export { checkBuild } from './proxy/build-query.js';
export { type CanonicalBody, canonicalBody, UnreadableBody } from './proxy/canonical-body/canonicalise.js';
export * as engineSchema from './proxy/canonical-body/engine-schema.js';
export { goFold } from './proxy/canonical-body/go-fold.js';
export {
  type JsonNode,
  JsonObject,
  MAX_JSON_DEPTH,
  parseJsonTree,
} from './proxy/canonical-body/json-tree.js';
export {
  type FieldSpec,
  type FieldType,
  type GuardedField,
  guardedFields,
  type StructType,
} from './proxy/canonical-body/schema-types.js';
export { withResolvedImages } from './proxy/dockerfile-references.js';
export type { EngineProxySettings } from './proxy/engine-proxy.js';
export { MAX_INSPECTED_BODY } from './proxy/forward.js';
export { type HijackRequest, relayHijacked } from './proxy/hijack-relay.js';
export { type ArchiveContents, ArchiveScanner, RefusedArchive } from './proxy/image-archive.js';
export { familiarTag, queryTag } from './proxy/image-names.js';
export { jobImageHistory, jobImageInspect, jobImageList, jobTags } from './proxy/image-views.js';
export {
  isEngineDefaultMode,
  JOB_DEFAULT_NETWORK,
  onJobDefaultNetwork,
} from './proxy/job-default-network.js';
export { JobNames, type NamedKind } from './proxy/job-names.js';
export { type JsonMessage, type StreamOutcome, watchStream } from './proxy/json-messages.js';
export { UnreadableFilters, withBuildLabels, withLabelFilter, withLabels } from './proxy/label-rewrite.js';
export { withJobNameFilters } from './proxy/name-filters.js';
export { withAlias, withNetworkAlias } from './proxy/network-aliases.js';
export type { ResolvedObject, Standing } from './proxy/ownership.js';
export { type EngineProxy, type EngineProxyOptions, startEngineProxy } from './proxy/proxy-worker.js';
export { hostOnlyRegistryRefusal, registryOfReference } from './proxy/registry-host.js';
export {
  checkContainerCreate,
  checkContainerUpdate,
  checkExecCreate,
  checkNetworkConnect,
  checkNetworkCreate,
  checkVolumeCreate,
  isAllowedBindPath,
  type PolicyContext,
  type PolicyResult,
} from './proxy/request-policy.js';
export { SOCKET_RUNTIME, SocketRuntime, type SocketRuntimeOptions, socket } from './socket-runtime.js';
