import { afterEach, describe, expect, it, vi } from 'vitest';
import { deadline, pollUntil, PollTimeoutError } from './poll-until.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('pollUntil', () => {
  it('resolves with the first value that is not undefined, null or false', async () => {
    let n = 0;
    const v = await pollUntil(() => (++n >= 3 ? { n } : n === 1 ? null : false), { timeoutMs: 5_000, message: 'the third probe', intervalMs: 1 });
    expect(v).toEqual({ n: 3 });
  });

  it('treats 0 and the empty string as values', async () => {
    expect(await pollUntil(() => 0, { timeoutMs: 1_000, message: 'zero' })).toBe(0);
    expect(await pollUntil(() => '', { timeoutMs: 1_000, message: 'empty' })).toBe('');
  });

  it('a probe that never succeeds fails with the message once the deadline passes', async () => {
    const err = await pollUntil(() => false, { timeoutMs: 30, message: 'something that never happens', intervalMs: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PollTimeoutError);
    expect((err as Error).message).toMatch(/^timed out after 30 ms \(\d+ probes\) waiting for something that never happens$/);
  });

  it("reports the probe's last error", async () => {
    const err = await pollUntil(
      () => {
        throw new Error('not yet');
      },
      { timeoutMs: 20, message: 'a throwing probe', intervalMs: 5 },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/waiting for a throwing probe; last probe threw: not yet$/);
    expect((err as Error).cause).toEqual(new Error('not yet'));
  });

  it('keeps its deadline under fake timers (the clock it reads is the real one)', async () => {
    vi.useFakeTimers();
    const err = await pollUntil(() => undefined, { timeoutMs: 20, message: 'a frozen clock', intervalMs: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PollTimeoutError);
  });

  it('refuses a poll without a finite positive deadline', async () => {
    await expect(pollUntil(() => true, { timeoutMs: Infinity, message: 'x' })).rejects.toThrow(RangeError);
    await expect(pollUntil(() => true, { timeoutMs: 0, message: 'x' })).rejects.toThrow(RangeError);
  });

  it('deadline(): a loop that never ends on its own throws with the message once its time is up', async () => {
    const check = deadline({ timeoutMs: 20, message: 'paging through a log whose cursor never moves' });
    const err = await (async () => {
      for (;;) {
        check();
        await new Promise((r) => setTimeout(r, 2));
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PollTimeoutError);
    expect((err as Error).message).toMatch(/^timed out after 20 ms \(\d+ turns\) paging through a log whose cursor never moves$/);
    expect(() => deadline({ timeoutMs: -1, message: 'x' })).toThrow(RangeError);
  });
});
