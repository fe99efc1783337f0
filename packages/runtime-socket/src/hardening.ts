import type Dockerode from 'dockerode';

/**
 * Capabilities a sandbox keeps: Docker's defaults minus NET_RAW (packet
 * spoofing), MKNOD, AUDIT_WRITE and SETFCAP, none of which ordinary jobs need.
 */
export const SANDBOX_CAPABILITIES = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'SETGID',
  'SETUID',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
] as const;

/**
 * HostConfig of a plain sandbox: every capability dropped except
 * {@link SANDBOX_CAPABILITIES}, no privilege gain through setuid binaries, and
 * no engine access.
 */
export function hardenedHostConfig(): Dockerode.HostConfig {
  return {
    Privileged: false,
    CapDrop: ['ALL'],
    CapAdd: [...SANDBOX_CAPABILITIES],
    SecurityOpt: ['no-new-privileges:true'],
  };
}
