import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineUnreachableError } from '@sandkit/core';
import { connectEngine } from '@sandkit/core/runtime';
import { describe, expect, it, onTestFinished } from 'vitest';
import { engineCandidates } from '../../packages/core/src/engine/connect-engine.js';

function dockerConfig(currentContext: string, host: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sandkit-docker-config-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ currentContext }));
  const meta = join(dir, 'contexts/meta', createHash('sha256').update(currentContext).digest('hex'));
  mkdirSync(meta, { recursive: true });
  writeFileSync(
    join(meta, 'meta.json'),
    JSON.stringify({ Name: currentContext, Endpoints: { docker: { Host: host } } }),
  );
  return dir;
}

describe('finding the engine', () => {
  it('keeps TLS settings as paths, so another process (the watchdog) can connect the same way', () => {
    expect(
      engineCandidates(undefined, {
        DOCKER_HOST: 'tcp://a:2376',
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: '/certs',
      }),
    ).toEqual([{ source: 'DOCKER_HOST', address: 'tcp://a:2376', tls: { certDir: '/certs', verify: true } }]);
    // What the watchdog is given: the engine's connection, host and TLS together.
    expect(engineCandidates('tcp://a:2376', {}, { certDir: '/certs', verify: true })).toEqual([
      { source: 'option "host"', address: 'tcp://a:2376', tls: { certDir: '/certs', verify: true } },
    ]);
  });

  it('prefers an explicit host, then DOCKER_HOST, then the docker context, then the default sockets', () => {
    const config = dockerConfig('remote', 'tcp://10.1.2.3:2375');
    expect(engineCandidates('unix:///x.sock', { DOCKER_HOST: 'tcp://a:1' })).toEqual([
      { source: 'option "host"', address: 'unix:///x.sock' },
    ]);
    expect(engineCandidates(undefined, { DOCKER_HOST: 'tcp://a:1', DOCKER_CONFIG: config })).toEqual([
      { source: 'DOCKER_HOST', address: 'tcp://a:1' },
    ]);
    expect(engineCandidates(undefined, { DOCKER_CONFIG: config })).toEqual([
      { source: 'docker context "remote"', address: 'tcp://10.1.2.3:2375' },
    ]);
    expect(
      engineCandidates(undefined, {
        DOCKER_CONFIG: config,
        DOCKER_CONTEXT: 'default',
        XDG_RUNTIME_DIR: '/run/user/1000',
      }),
    ).toEqual([
      { source: 'default socket', address: 'unix:///var/run/docker.sock' },
      { source: 'rootless socket', address: 'unix:///run/user/1000/docker.sock' },
    ]);
  });

  it('lists every place tried and why each failed when nothing answers', async () => {
    const env = { XDG_RUNTIME_DIR: '/nonexistent-run', DOCKER_CONFIG: '/nonexistent-config' };
    const attempt = connectEngine({ env, pingTimeoutMs: 1_000, host: 'unix:///nonexistent/docker.sock' });
    await expect(attempt).rejects.toThrow(EngineUnreachableError);
    const error = (await attempt.catch((e: unknown) => e)) as EngineUnreachableError;
    expect(error.attempts).toEqual([
      { source: 'option "host"', address: 'unix:///nonexistent/docker.sock', reason: 'ENOENT' },
    ]);
    expect(error.message).toContain('option "host": unix:///nonexistent/docker.sock → ENOENT');
    expect(error.message).toContain('point DOCKER_HOST at one');
  });

  it('rejects an address scheme it cannot use, saying which are supported', async () => {
    const error = (await connectEngine({ host: 'npipe:////./pipe/docker' }).catch(
      (e: unknown) => e,
    )) as EngineUnreachableError;
    expect(error.attempts[0]?.reason).toBe('unsupported scheme "npipe:" (use unix://, tcp:// or ssh://)');
  });
});
