export { hardenedHostConfig, SANDBOX_CAPABILITIES } from './hardening.js';
export { SOCKET_RUNTIME, SocketRuntime, type SocketRuntimeOptions, socket } from './socket-runtime.js';
