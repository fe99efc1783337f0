import type Dockerode from 'dockerode';

/**
 * How to reach an engine again from another process (the watchdog): its
 * address and, for TLS, the directory holding `ca.pem`, `cert.pem`, `key.pem`.
 * Holds paths, never key material.
 */
export interface EngineConnection {
  host: string;
  tls?: { certDir: string; verify: boolean };
}

/** A connected Docker engine: the dockerode client plus what sandkit needs to know about where it is. */
export interface Engine {
  /** The dockerode client. */
  readonly docker: Dockerode;
  /** The address it answered on, e.g. `unix:///var/run/docker.sock` or `tcp://10.0.0.5:2376`. */
  readonly address: string;
  /** How to connect to it again, TLS settings included. */
  readonly connection: EngineConnection;
  /** Where the address came from, e.g. `DOCKER_HOST` or `default socket`. */
  readonly source: string;
  /**
   * Whether the engine runs on this machine (reached through a unix socket), so
   * host paths, bind mounts and process ids are shared with this process.
   */
  readonly isLocal: boolean;
  /** Host name at which ports the engine publishes are reachable from this process. */
  readonly publishedPortHost: string;
}
