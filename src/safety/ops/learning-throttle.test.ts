import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMetrics, type Metrics } from '../../observability/metrics/metrics.js';
import type { LoopSample } from '../resilience/index.js';
import { startLearningThrottle, type LearningThrottle } from './learning-throttle.js';

describe('startLearningThrottle', () => {
  let registry: Registry;
  let metrics: Metrics;
  let next: LoopSample;
  let lines: string[];
  let t: LearningThrottle;
  const sampler = { sample: () => next, close: () => undefined };
  const value = async (name: string): Promise<number | undefined> =>
    (await registry.getSingleMetric(name)!.get()).values[0]?.value;

  beforeEach(() => {
    vi.useFakeTimers();
    registry = new Registry();
    metrics = createMetrics(registry);
    next = { p99DelayMs: 1, elu: 0.1 };
    lines = [];
  });
  afterEach(() => {
    t.stop();
    vi.useRealTimers();
  });

  it('enters throttled on a hot interval, logs "learning throttled", feeds the gauge, resumes with hysteresis', async () => {
    t = startLearningThrottle({
      metrics,
      impact: false,
      throttle: { sampler, intervalMs: 1000, recoverIntervals: 2, log: (l) => lines.push(l) },
    });
    const seen: boolean[] = [];
    t.onChange((x) => seen.push(x));
    vi.advanceTimersByTime(1000);
    expect(t.isThrottled()).toBe(false);
    expect(await value('apprentice_learner_throttled')).toBe(0);
    next = { p99DelayMs: 120, elu: 0.5 };
    vi.advanceTimersByTime(1000);
    expect(t.isThrottled()).toBe(true);
    expect(t.holds()).toEqual(['event_loop']);
    expect(lines[0]).toMatch(/^learning throttled: p99 delay 120.0 ms/);
    expect(await value('apprentice_learner_throttled')).toBe(1);
    next = { p99DelayMs: 1, elu: 0.1 };
    vi.advanceTimersByTime(1000);
    expect(t.isThrottled()).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(t.isThrottled()).toBe(false);
    expect(lines[1]).toMatch(/^learning resumed/);
    expect(seen).toEqual([true, false]);
    expect(await value('apprentice_learner_throttled')).toBe(0);
  });

  it('impact probes hold learning and publish the p99 on/off ratio', async () => {
    let now = 0;
    t = startLearningThrottle({
      metrics,
      throttle: { sampler, intervalMs: 100_000, log: () => undefined },
      impact: { probeEveryMs: 10_000, probeMs: 2_000, settleMs: 0, minSamples: 10, alpha: 1, now: () => now },
    });
    expect(await value('apprentice_ml_performance_impact_ratio')).toBeNaN();
    for (let i = 0; i < 20; i++) t.recordDecisionLatency(2); // learning on: 2 ms
    vi.advanceTimersByTime(10_000); // probe starts
    expect(t.isThrottled()).toBe(true);
    expect(t.holds()).toEqual(['impact_probe']);
    now = 1;
    for (let i = 0; i < 20; i++) t.recordDecisionLatency(1); // learning off: 1 ms
    vi.advanceTimersByTime(2_000); // probe ends, cycle closes
    expect(t.isThrottled()).toBe(false);
    expect(await value('apprentice_ml_performance_impact_ratio')).toBeCloseTo(2, 1);
  });
});
