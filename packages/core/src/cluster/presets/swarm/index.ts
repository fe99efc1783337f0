export {
  detectKernelNetworking,
  KERNEL_NETWORKING_PROBE,
  type KernelNetworking,
  parseKernelNetworking,
  swarmLimits,
} from './kernel-networking.js';
export { type SwarmOptions, type SwarmState, swarm, swarmManagers } from './swarm-preset.js';
export {
  overlayNetworkRequest,
  type SwarmServiceOptions,
  serviceCreateCommand,
  swarmInitRequest,
  swarmJoinRequest,
} from './swarm-requests.js';
export { createSwarmService, type SwarmService } from './swarm-service.js';
