import type { ProbeResult, SandboxSpec, SpecIssue } from '@sandkit/core';
import { describe, expect, it } from 'vitest';
import { type Candidate, selectRuntime } from '../../packages/core/src/orchestrator/select-runtime.js';

function candidate(
  name: string,
  probe: Partial<ProbeResult>,
  validate: (spec: SandboxSpec) => SpecIssue[] = () => [],
): Candidate {
  return {
    runtime: { name, validate },
    probe: {
      runtime: name,
      available: true,
      reasons: [`${name} ok`],
      dockerAccess: [],
      insecure: false,
      facts: {},
      ...probe,
    },
  };
}

const sysboxReal = candidate('sysbox', { dockerAccess: ['isolated'], reasons: ['sysbox-runc listed'] });
const sysboxFallback = candidate('sysbox', {
  dockerAccess: ['isolated'],
  insecure: true,
  reasons: ['INSECURE FALLBACK: no sysbox-runc'],
});
const sysboxMissing = candidate('sysbox', { available: false, reasons: ['no sysbox-runc runtime'] });
const socketNone = candidate('socket', { dockerAccess: ['none'] });

describe('runtime selection', () => {
  it('gives a plain job the socket runtime and says why the others were not picked', () => {
    const choice = selectRuntime({ image: 'x' }, [sysboxReal, socketNone]);
    expect(choice.chosen).toBe('socket');
    expect(choice.reasons).toContain('serves docker: "none"');
    expect(choice.rejected).toEqual([
      { runtime: 'sysbox', reasons: ['serves docker: "isolated", but the job needs "none"'] },
    ]);
  });

  it('gives a job that needs its own daemon the system-container runtime', () => {
    expect(selectRuntime({ image: 'x', docker: 'isolated' }, [socketNone, sysboxReal]).chosen).toBe('sysbox');
  });

  it('never gives an untrusted job the insecure fallback', () => {
    const choice = selectRuntime({ image: 'x', docker: 'isolated' }, [socketNone, sysboxFallback]);
    expect(choice.chosen).toBeUndefined();
    expect(choice.rejected.find((r) => r.runtime === 'sysbox')?.reasons[0]).toMatch(
      /only jobs with trust: "trusted"/,
    );
  });

  it('gives a trusted job the insecure fallback, and says so loudly', () => {
    const choice = selectRuntime({ image: 'x', docker: 'isolated', trust: 'trusted' }, [sysboxFallback]);
    expect(choice.chosen).toBe('sysbox');
    expect(choice.reasons.join(' ')).toContain('INSECURE');
  });

  it('passes over unavailable runtimes with their probe reasons', () => {
    const choice = selectRuntime({ image: 'x', docker: 'isolated' }, [sysboxMissing, socketNone]);
    expect(choice.chosen).toBeUndefined();
    expect(choice.rejected).toEqual([
      { runtime: 'sysbox', reasons: ['is not available here', 'no sysbox-runc runtime'] },
      { runtime: 'socket', reasons: ['serves docker: "none", but the job needs "isolated"'] },
    ]);
  });

  it('honours an explicitly requested runtime, even over an earlier fit', () => {
    const other = candidate('other', { dockerAccess: ['none'] });
    const choice = selectRuntime({ image: 'x' }, [socketNone, other], 'other');
    expect(choice.chosen).toBe('other');
    expect(choice.rejected).toEqual([
      { runtime: 'socket', reasons: ['runtime "other" was requested explicitly'] },
    ]);
  });

  it('says so when the requested runtime is not configured', () => {
    const choice = selectRuntime({ image: 'x' }, [socketNone], 'kata');
    expect(choice.chosen).toBeUndefined();
    expect(choice.rejected[0]).toEqual({
      runtime: 'kata',
      reasons: ['was requested but is not configured (configured: socket)'],
    });
  });

  it('skips a runtime whose own rules reject the spec', () => {
    const picky = candidate('picky', { dockerAccess: ['none'] }, () => [
      { path: 'env.X', problem: 'not allowed here', allowed: 'no X' },
    ]);
    const choice = selectRuntime({ image: 'x' }, [picky, socketNone]);
    expect(choice.chosen).toBe('socket');
    expect(choice.rejected).toEqual([{ runtime: 'picky', reasons: ['env.X: not allowed here'] }]);
  });

  it('prefers the configured order when several fit', () => {
    const second = candidate('second', { dockerAccess: ['none'] });
    const choice = selectRuntime({ image: 'x' }, [socketNone, second]);
    expect(choice.chosen).toBe('socket');
    expect(choice.rejected).toEqual([
      { runtime: 'second', reasons: ['would fit too, but "socket" comes first in the configured order'] },
    ]);
  });
});
