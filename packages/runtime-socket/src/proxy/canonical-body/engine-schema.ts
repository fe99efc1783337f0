/**
 * The request bodies the guarded socket reads, as the engine's Go structs of
 * Engine API v1.41 (Docker Engine 20.10: `api/types/container`, `network`,
 * `mount`, `volume`). Every field the 20.10 CLI, compose and the SDKs send is
 * here; a field that is not is refused, so an engine field the proxy was not
 * taught can never carry an escape past it.
 *
 * Hostile examples assume a job that owns nothing: `theirs` is someone
 * else's container, `othernet` someone else's network.
 */
import {
  arrayOf,
  bool,
  empty,
  guarded,
  int,
  mapOf,
  newer,
  queryEcho,
  type StructType,
  string,
  strslice,
  struct,
  uint,
} from './schema-types.js';

const strings = arrayOf(string);
const stringMap = mapOf(string);

const weightDevice = struct('blkiodev.WeightDevice', { Path: string, Weight: uint });
const throttleDevice = struct('blkiodev.ThrottleDevice', { Path: string, Rate: uint });

/** `container.Resources`, embedded in HostConfig and UpdateConfig. */
const resources = {
  CpuShares: int,
  Memory: int,
  NanoCpus: int,
  CgroupParent: guarded(string, '/', '/system.slice'),
  BlkioWeight: uint,
  BlkioWeightDevice: arrayOf(weightDevice),
  BlkioDeviceReadBps: arrayOf(throttleDevice),
  BlkioDeviceWriteBps: arrayOf(throttleDevice),
  BlkioDeviceReadIOps: arrayOf(throttleDevice),
  BlkioDeviceWriteIOps: arrayOf(throttleDevice),
  CpuPeriod: int,
  CpuQuota: int,
  CpuRealtimePeriod: int,
  CpuRealtimeRuntime: int,
  CpusetCpus: string,
  CpusetMems: string,
  Devices: guarded(
    arrayOf(
      struct('container.DeviceMapping', {
        PathOnHost: string,
        PathInContainer: string,
        CgroupPermissions: string,
      }),
    ),
    [{ PathOnHost: '/dev/sda', PathInContainer: '/dev/sda', CgroupPermissions: 'rwm' }],
  ),
  DeviceCgroupRules: guarded(strings, ['a *:* rwm']),
  DeviceRequests: guarded(
    arrayOf(
      struct('container.DeviceRequest', {
        Driver: string,
        Count: int,
        DeviceIDs: strings,
        Capabilities: arrayOf(strings),
        Options: stringMap,
      }),
    ),
    [{ Count: -1, Capabilities: [['gpu']] }],
  ),
  KernelMemory: int,
  KernelMemoryTCP: int,
  MemoryReservation: int,
  MemorySwap: int,
  MemorySwappiness: int,
  OomKillDisable: bool,
  PidsLimit: int,
  Ulimits: arrayOf(struct('units.Ulimit', { Name: string, Hard: int, Soft: int })),
  CpuCount: int,
  CpuPercent: int,
  IOMaximumIOps: uint,
  IOMaximumBandwidth: uint,
};

const restartPolicy = struct('container.RestartPolicy', { Name: string, MaximumRetryCount: int });

const mount = struct('mount.Mount', {
  Type: string,
  Source: string,
  Target: string,
  ReadOnly: bool,
  Consistency: string,
  BindOptions: struct('mount.BindOptions', {
    Propagation: string,
    NonRecursive: bool,
    CreateMountpoint: newer('1.42', bool),
    ReadOnlyNonRecursive: newer('1.44', bool),
    ReadOnlyForceRecursive: newer('1.44', bool),
  }),
  VolumeOptions: struct('mount.VolumeOptions', {
    NoCopy: bool,
    Labels: stringMap,
    DriverConfig: struct('mount.Driver', { Name: string, Options: stringMap }),
    Subpath: newer('1.45', string),
  }),
  ImageOptions: newer('1.48', struct('mount.ImageOptions', { Subpath: string })),
  TmpfsOptions: struct('mount.TmpfsOptions', {
    SizeBytes: int,
    Mode: uint,
    Options: newer('1.46', arrayOf(strings)),
  }),
  ClusterOptions: newer('1.42', struct('mount.ClusterOptions', {})),
});

/** `container.HostConfig` (with `Resources` embedded). */
export const HOST_CONFIG: StructType = struct('container.HostConfig', {
  Binds: guarded(strings, ['/:/host'], ['/etc:/x:ro'], ['/var/run/docker.sock:/s']),
  ContainerIDFile: string,
  LogConfig: struct('container.LogConfig', {
    Type: guarded(string, 'syslog', 'gelf'),
    Config: stringMap,
  }),
  NetworkMode: guarded(string, 'host', 'container:theirs', 'othernet'),
  PortBindings: mapOf(arrayOf(struct('nat.PortBinding', { HostIp: string, HostPort: string }))),
  RestartPolicy: restartPolicy,
  AutoRemove: bool,
  VolumeDriver: guarded(string, 'some-plugin'),
  VolumesFrom: guarded(strings, ['theirs'], ['theirs:ro']),
  CapAdd: guarded(strslice, ['SYS_ADMIN'], 'ALL'),
  CapDrop: strslice,
  CgroupnsMode: guarded(string, 'host'),
  Dns: strings,
  DnsOptions: strings,
  DnsSearch: strings,
  ExtraHosts: strings,
  GroupAdd: strings,
  IpcMode: guarded(string, 'host', 'container:theirs'),
  Cgroup: guarded(string, 'container:theirs'),
  Links: guarded(strings, ['theirs:db'], ['/theirs']),
  OomScoreAdj: guarded(int, -1000),
  PidMode: guarded(string, 'host', 'container:theirs'),
  Privileged: guarded(bool, true),
  PublishAllPorts: bool,
  ReadonlyRootfs: bool,
  SecurityOpt: guarded(
    strings,
    ['seccomp=unconfined'],
    ['apparmor:unconfined'],
    ['label=disable'],
    ['systempaths=unconfined'],
    ['no-new-privileges=false'],
    ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}'],
  ),
  StorageOpt: guarded(stringMap, { size: '1T' }),
  Tmpfs: stringMap,
  UTSMode: guarded(string, 'host'),
  UsernsMode: guarded(string, 'host'),
  ShmSize: int,
  Sysctls: guarded(stringMap, { 'net.ipv4.ip_forward': '1' }),
  Runtime: guarded(string, 'sysbox-runc', 'io.containerd.runc.v2'),
  ConsoleSize: arrayOf(uint, 2),
  Isolation: guarded(string, 'hyperv'),
  ...resources,
  Mounts: guarded(
    arrayOf(mount),
    [{ Type: 'bind', Source: '/', Target: '/h' }],
    [
      {
        Type: 'volume',
        Source: 'v',
        Target: '/v',
        VolumeOptions: {
          DriverConfig: { Name: 'local', Options: { type: 'none', o: 'bind', device: '/etc' } },
        },
      },
    ],
    [{ Type: 'npipe', Source: '/x', Target: '/x' }],
  ),
  Annotations: newer('1.43', stringMap),
  MaskedPaths: guarded(strings, []),
  ReadonlyPaths: guarded(strings, []),
  Init: bool,
});

/** `network.EndpointSettings`: a container's settings on one network. */
export const ENDPOINT_SETTINGS: StructType = struct('network.EndpointSettings', {
  IPAMConfig: struct('network.EndpointIPAMConfig', {
    IPv4Address: string,
    IPv6Address: string,
    LinkLocalIPs: strings,
  }),
  Links: guarded(strings, ['theirs:db']),
  Aliases: strings,
  NetworkID: guarded(string, 'othernet'),
  EndpointID: guarded(string, 'someone-elses-endpoint'),
  Gateway: string,
  IPAddress: string,
  IPPrefixLen: int,
  IPv6Gateway: string,
  GlobalIPv6Address: string,
  GlobalIPv6PrefixLen: int,
  MacAddress: string,
  DriverOpts: guarded(stringMap, { 'com.docker.network.endpoint.sysctls': 'x' }),
  DNSNames: newer('1.44', strings),
  GwPriority: newer('1.48', int),
});

/** `POST /containers/create`: `container.Config` with HostConfig and NetworkingConfig beside it. */
export const CONTAINER_CREATE: StructType = struct('container.ContainerConfigWrapper', {
  Hostname: string,
  Domainname: string,
  User: string,
  AttachStdin: bool,
  AttachStdout: bool,
  AttachStderr: bool,
  ExposedPorts: mapOf(empty),
  Tty: bool,
  OpenStdin: bool,
  StdinOnce: bool,
  Env: strings,
  Cmd: strslice,
  Healthcheck: struct('container.HealthConfig', {
    Test: strings,
    Interval: int,
    Timeout: int,
    StartPeriod: int,
    StartInterval: newer('1.44', int),
    Retries: int,
  }),
  ArgsEscaped: bool,
  Image: string,
  Volumes: mapOf(empty),
  WorkingDir: string,
  Entrypoint: strslice,
  NetworkDisabled: bool,
  MacAddress: string,
  OnBuild: strings,
  Labels: stringMap,
  StopSignal: string,
  StopTimeout: int,
  Shell: strslice,
  HostConfig: HOST_CONFIG,
  name: queryEcho(string),
  platform: queryEcho(string),
  NetworkingConfig: struct('network.NetworkingConfig', {
    EndpointsConfig: guarded(mapOf(ENDPOINT_SETTINGS), { othernet: {} }),
  }),
});

/** `POST /containers/{id}/update`: `container.UpdateConfig`. */
export const CONTAINER_UPDATE: StructType = struct('container.UpdateConfig', {
  ...resources,
  RestartPolicy: restartPolicy,
});

/** `POST /containers/{id}/exec`: `types.ExecConfig`. */
export const EXEC_CREATE: StructType = struct('types.ExecConfig', {
  User: string,
  Privileged: guarded(bool, true),
  Tty: bool,
  AttachStdin: bool,
  AttachStderr: bool,
  AttachStdout: bool,
  Detach: bool,
  DetachKeys: string,
  Env: strings,
  WorkingDir: string,
  Cmd: strings,
  ConsoleSize: newer('1.42', arrayOf(uint, 2)),
});

/** `POST /exec/{id}/start` (when not hijacked, e.g. `docker exec -d`): `types.ExecStartCheck`. */
export const EXEC_START: StructType = struct('types.ExecStartCheck', {
  Detach: bool,
  Tty: bool,
  ConsoleSize: newer('1.42', arrayOf(uint, 2)),
  // dockerode (and so testcontainers) sends its own options in the body; the engine has no such
  // fields and ignores them.
  hijack: bool,
  stdin: bool,
});

/** `POST /volumes/create`: `volume.VolumeCreateBody`. */
export const VOLUME_CREATE: StructType = struct('volume.VolumeCreateBody', {
  Name: string,
  Driver: guarded(string, 'some-plugin'),
  DriverOpts: guarded(stringMap, { type: 'none', o: 'bind', device: '/etc' }),
  Labels: stringMap,
  ClusterVolumeSpec: newer('1.42', struct('volume.ClusterVolumeSpec', {})),
});

/** `POST /networks/create`: `types.NetworkCreateRequest`. */
export const NETWORK_CREATE: StructType = struct('types.NetworkCreateRequest', {
  Name: string,
  CheckDuplicate: bool,
  Driver: guarded(string, 'macvlan', 'host', 'overlay'),
  Scope: guarded(string, 'swarm', 'global'),
  EnableIPv4: newer('1.47', bool),
  EnableIPv6: bool,
  IPAM: struct('network.IPAM', {
    Driver: guarded(string, 'some-plugin'),
    Options: guarded(stringMap, { x: 'y' }),
    Config: arrayOf(
      struct('network.IPAMConfig', {
        Subnet: string,
        IPRange: string,
        Gateway: string,
        AuxiliaryAddresses: stringMap,
      }),
    ),
  }),
  Internal: bool,
  Attachable: bool,
  Ingress: guarded(bool, true),
  ConfigOnly: guarded(bool, true),
  ConfigFrom: struct('network.ConfigReference', { Network: guarded(string, 'othernet') }),
  Options: guarded(stringMap, { 'com.docker.network.bridge.name': 'docker0' }, { parent: 'eth0' }),
  Labels: stringMap,
});

/** `POST /networks/{id}/connect`: `types.NetworkConnect`. */
export const NETWORK_CONNECT: StructType = struct('types.NetworkConnect', {
  Container: guarded(string, 'theirs'),
  EndpointConfig: ENDPOINT_SETTINGS,
});

/** `POST /networks/{id}/disconnect`: `types.NetworkDisconnect`. */
export const NETWORK_DISCONNECT: StructType = struct('types.NetworkDisconnect', {
  Container: guarded(string, 'theirs'),
  Force: bool,
});

/** `POST /auth` (`docker login`): `types.AuthConfig`. Passed to the engine, never kept by the proxy. */
export const AUTH_CONFIG: StructType = struct('types.AuthConfig', {
  username: string,
  password: string,
  auth: string,
  email: string,
  serveraddress: string,
  identitytoken: string,
  registrytoken: string,
});
