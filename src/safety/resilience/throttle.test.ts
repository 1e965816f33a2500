import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createEventLoopThrottle,
  createLoopSampler,
  nextThrottleStep,
  type LoopSample,
  type ThrottleChange,
} from './throttle.js';

const calm: LoopSample = { p99DelayMs: 5, elu: 0.3 };
const hot: LoopSample = { p99DelayMs: 80, elu: 0.5 };
const busy: LoopSample = { p99DelayMs: 5, elu: 0.95 };
const middling: LoopSample = { p99DelayMs: 30, elu: 0.5 }; // neither hot nor calm

function scripted(samples: LoopSample[]) {
  let i = 0;
  return { sample: () => samples[Math.min(i++, samples.length - 1)]!, close: vi.fn() };
}

beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

describe('EventLoopThrottle', () => {
  it('throttles on one hot interval (delay or ELU) and logs "learning throttled"', () => {
    for (const s of [hot, busy]) {
      const lines: string[] = [];
      const t = createEventLoopThrottle({ sampler: scripted([calm, s]), log: (l) => lines.push(l) });
      const changes: ThrottleChange[] = [];
      t.onChange((c) => changes.push(c));
      t.start();
      vi.advanceTimersByTime(1000);
      expect(t.state).toBe('normal');
      vi.advanceTimersByTime(1000);
      expect(t.state).toBe('throttled');
      expect(changes).toEqual([{ from: 'normal', to: 'throttled', sample: s, at: Date.now() }]);
      expect(lines[0]).toMatch(/^learning throttled/);
      t.close();
    }
  });

  it('returns to normal only after K calm intervals in a row (hysteresis)', () => {
    const lines: string[] = [];
    const t = createEventLoopThrottle({
      recoverIntervals: 3,
      sampler: scripted([hot, calm, calm, middling, calm, calm, calm]),
      log: (l) => lines.push(l),
    });
    const states: string[] = [];
    for (let i = 0; i < 7; i++) {
      t.tick();
      states.push(t.state);
    }
    expect(states).toEqual([
      'throttled',
      'throttled',
      'throttled',
      'throttled',
      'throttled',
      'throttled',
      'normal',
    ]);
    expect(lines[1]).toMatch(/^learning resumed/);
  });

  it('close() stops the timer and the sampler', () => {
    const sampler = scripted([hot]);
    const t = createEventLoopThrottle({ sampler, log: () => undefined });
    t.start();
    t.close();
    vi.advanceTimersByTime(10_000);
    expect(t.state).toBe('normal');
    expect(sampler.close).toHaveBeenCalled();
  });

  it('rejects inverted thresholds', () => {
    expect(() =>
      createEventLoopThrottle({ sampler: scripted([calm]), lowDelayMs: 100, highDelayMs: 50 }),
    ).toThrow(/lowDelayMs/);
  });
});

describe('nextThrottleStep (property)', () => {
  const o = { highDelayMs: 50, highElu: 0.9, lowDelayMs: 20, lowElu: 0.7, recoverIntervals: 3 };
  const sample = fc.record({
    p99DelayMs: fc.double({ min: 0, max: 200, noNaN: true }),
    elu: fc.double({ min: 0, max: 1, noNaN: true }),
  });
  it('any hot sample throttles; normal needs K calm samples in a row', () => {
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 50 }), (xs) => {
        let step = { state: 'normal' as 'normal' | 'throttled', calm: 0 };
        let calmRun = 0;
        let everHot = false;
        for (const s of xs) {
          const wasThrottled = step.state === 'throttled';
          step = nextThrottleStep(step, s, o);
          const isHot = s.p99DelayMs > o.highDelayMs || s.elu > o.highElu;
          const isCalm = s.p99DelayMs <= o.lowDelayMs && s.elu <= o.lowElu;
          everHot ||= isHot;
          calmRun = isCalm ? calmRun + 1 : 0;
          if (isHot) expect(step.state).toBe('throttled');
          if (wasThrottled && step.state === 'normal')
            expect(calmRun).toBeGreaterThanOrEqual(o.recoverIntervals);
        }
        if (!everHot) expect(step.state).toBe('normal');
      }),
    );
  });
});

describe('createLoopSampler', () => {
  it('returns per-interval figures in range', () => {
    vi.useRealTimers();
    const s = createLoopSampler();
    const x = s.sample();
    s.close();
    expect(x.elu).toBeGreaterThanOrEqual(0);
    expect(x.elu).toBeLessThanOrEqual(1);
    expect(x.p99DelayMs).toBeGreaterThanOrEqual(0);
  });
});
