import { describe, expect, it } from 'vitest';
import { isTimeoutReason } from '../../packages/core/src/errors/cancelled-error.js';
import { timeoutSignal } from '../../packages/core/src/util/abort.js';

describe('timeoutSignal', () => {
  it('aborts after its time with a TimeoutError, as AbortSignal.timeout() does', async () => {
    const signal = timeoutSignal(20);
    expect(signal.aborted).toBe(false);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect(isTimeoutReason(signal.reason)).toBe(true);
  });

  it('still fires when only an AbortSignal.any() refers to it (its timer holds it)', async () => {
    const combined = AbortSignal.any([new AbortController().signal, timeoutSignal(50)]);
    // What Node 20 may collect: nothing but the combined signal refers to the timeout signal now.
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => combined.addEventListener('abort', resolve, { once: true }));
    expect(isTimeoutReason(combined.reason)).toBe(true);
  });
});
