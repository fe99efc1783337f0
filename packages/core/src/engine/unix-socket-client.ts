import Dockerode from 'dockerode';

/**
 * A dockerode client for an engine API on a unix socket. Explicit about every
 * connection field, because dockerode otherwise fills them in from the
 * process's DOCKER_HOST / DOCKER_CERT_PATH, which name a different engine.
 */
export function unixSocketClient(socketPath: string): Dockerode {
  return new Dockerode({
    socketPath,
    protocol: 'http',
    host: undefined,
    port: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
  } as Dockerode.DockerOptions);
}
