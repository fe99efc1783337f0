/**
 * The socket runtime: sandboxes whose jobs use the host's engine through a
 * guarding proxy (`docker: 'shared'`), or have no engine at all.
 * @packageDocumentation
 */
export { SOCKET_RUNTIME, SocketRuntime, type SocketRuntimeOptions, socket } from './socket-runtime.js';
