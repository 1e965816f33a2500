import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createImpactEstimator } from './impact.js';

beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

const opts = () => {
  const calls: string[] = [];
  return {
    calls,
    o: {
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
      probeEveryMs: 10_000,
      probeMs: 1_000,
      settleMs: 100,
      minSamples: 100,
      alpha: 0.5,
      now: () => Date.now(),
    },
  };
};

/** 1000 latencies, 1 % at `tail` ms and the rest at `body` ms: p99 sits between them. */
function feed(record: (ms: number) => void, body: number, tail: number): void {
  for (let i = 0; i < 1000; i++) record(i < 985 ? body : tail);
}

describe('ImpactEstimator', () => {
  it('pauses learning during probes and computes p99(on)/p99(off)', () => {
    const { calls, o } = opts();
    const est = createImpactEstimator(o);
    est.start();
    feed((ms) => est.record(ms), 1, 2.2); // learning on: p99 = 2.2 ms
    vi.advanceTimersByTime(10_000); // probe starts
    expect(calls).toEqual(['pause']);
    vi.advanceTimersByTime(200); // past settle
    feed((ms) => est.record(ms), 1, 2.0); // paused: p99 = 2.0 ms
    vi.advanceTimersByTime(800); // probe ends
    expect(calls).toEqual(['pause', 'resume']);
    const s = est.snapshot();
    expect(s.cycles).toBe(1);
    expect(s.ratio).toBeCloseTo(1.1, 1);
    expect(Math.abs(s.ratio - 1.1)).toBeLessThan(0.02); // HDR histogram precision
    est.close();
  });

  it('smooths cycle ratios with an EWMA', () => {
    const { o } = opts();
    const est = createImpactEstimator(o);
    for (const onTail of [2, 4]) {
      feed((ms) => est.record(ms), 1, onTail);
      est.setLearningActive(false);
      vi.advanceTimersByTime(200);
      feed((ms) => est.record(ms), 1, 2);
      est.setLearningActive(true);
      vi.advanceTimersByTime(200);
      est.closeCycle();
    }
    // cycles: 1.0 then 2.0; EWMA with alpha 0.5 → 1.5
    expect(est.snapshot().lastCycleRatio).toBeCloseTo(2, 1);
    expect(est.ratio).toBeCloseTo(1.5, 1);
  });

  it('ignores samples during the settle time and keeps NaN until both phases have enough samples', () => {
    const { o } = opts();
    const est = createImpactEstimator(o);
    feed((ms) => est.record(ms), 1, 2);
    est.setLearningActive(false);
    feed((ms) => est.record(ms), 50, 50); // within settleMs: dropped
    est.closeCycle();
    expect(est.snapshot().off.n).toBe(0);
    expect(Number.isNaN(est.ratio)).toBe(true);
  });

  it('close() during a probe resumes learning', () => {
    const { calls, o } = opts();
    const est = createImpactEstimator(o);
    est.probe();
    est.close();
    expect(calls).toEqual(['pause', 'resume']);
    vi.advanceTimersByTime(5_000);
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('rejects a probe longer than its period', () => {
    expect(() => createImpactEstimator({ ...opts().o, probeMs: 20_000 })).toThrow(/probeEveryMs/);
  });
});
