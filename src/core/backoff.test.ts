import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './backoff.js';

describe('reconnectDelay', () => {
  it('doubles from 50 ms and stays at the cap, plus jitter below 50 ms', () => {
    const none = reconnectDelay(1000, () => 0);
    expect([0, 1, 2, 3, 4, 5, 6, 30, 10_000].map(none)).toEqual([50, 100, 200, 400, 800, 1000, 1000, 1000, 1000]);
    expect(reconnectDelay(300, () => 0)(10)).toBe(300);
    expect(reconnectDelay(1000, () => 0.999)(0)).toBe(99);
  });
  it('defaults to a 1 s cap', () => {
    for (let r = 0; r < 50; r++) expect(reconnectDelay()(r)).toBeLessThan(1050);
    expect(reconnectDelay()(40)).toBeGreaterThanOrEqual(1000);
  });
});
