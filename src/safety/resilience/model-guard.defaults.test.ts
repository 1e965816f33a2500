import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accuracyDefaults } from './accuracy-breaker.js';
import type { BreakerStateChange } from './breaker-types.js';
import { createModelGuard, type ModelGuard, type ModelGuardOptions } from './model-guard.js';

// Every default of the model guard and its accuracy breaker pinned at its boundary, using the
// guard's own defaults: only the clocks are injected (fake timers drive both).

const boom = (): never => {
  throw new Error('boom');
};

function guardWithDefaults(extra: Partial<ModelGuardOptions> = {}): { guard: ModelGuard; changes: BreakerStateChange[] } {
  const guard = createModelGuard({ agent: 'debugger', latencyNow: () => Date.now(), ...extra });
  const changes: BreakerStateChange[] = [];
  guard.onStateChange((c) => changes.push(c));
  return { guard, changes };
}

/** A synchronous prediction that takes `ms` of (fake) time. */
const taking =
  (ms: number, value = 1) =>
  (): number => {
    vi.advanceTimersByTime(ms);
    return value;
  };

const report = (guard: ModelGuard, model: number, rules: number, times = 1): void => {
  for (let i = 0; i < times; i++) guard.reportQuality({ model, rules });
};

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('accuracy breaker defaults', () => {
  it('the accuracy defaults are a 20% drop, a 20% rules margin, a window of 20 and 5 reports', () => {
    expect(accuracyDefaults).toEqual({ maxDrop: 0.2, rulesMargin: 0.2, window: 20, minReports: 5, baseline: undefined, servedWindow: 200, minServed: 50, pairedAlpha: 0.01 });
  });

  it('minReports is 5: four bad reports leave the accuracy breaker closed, the fifth opens it', () => {
    const { guard, changes } = guardWithDefaults();
    report(guard, 0.1, 0.9, 4);
    expect(guard.state.accuracy).toBe('closed');
    expect(guard.quality.reports).toBe(4);
    report(guard, 0.1, 0.9);
    expect(guard.state.accuracy).toBe('open');
    expect(changes).toEqual([
      expect.objectContaining({ kind: 'accuracy', from: 'closed', to: 'open', reason: "rolling model quality 0.1000 is below the rules' 0.9000" }),
    ]);
  });

  // 1.25 × (1 − 0.2) is exactly 1 in binary floating point, so the boundary is exact.
  it('rulesMargin is 0.2: a model at 80% of the rules stays closed, a hair below opens', () => {
    const at80 = guardWithDefaults().guard;
    report(at80, 1, 1.25, 10);
    expect(at80.state.accuracy).toBe('closed');
    const below = guardWithDefaults().guard;
    report(below, 0.99, 1.25, 5);
    expect(below.state.accuracy).toBe('open');
  });

  it('maxDrop is 0.2: with a baseline of 1.25, a model at 1 (80%) stays closed, at 0.99 it opens', () => {
    const at80 = guardWithDefaults({ accuracy: { baseline: 1.25 } }).guard;
    report(at80, 1, 0, 10);
    expect(at80.state.accuracy).toBe('closed');
    const { guard, changes } = guardWithDefaults({ accuracy: { baseline: 1.25 } });
    report(guard, 0.99, 0, 5);
    expect(guard.state.accuracy).toBe('open');
    expect(changes[0]?.reason).toBe('rolling model quality 0.9900 is more than 20% below baseline 1.2500');
  });

  it('a baseline given with a report replaces the configured one', () => {
    const { guard } = guardWithDefaults({ accuracy: { baseline: 2 } });
    guard.reportQuality({ model: 1, rules: 0, baseline: 1.25 });
    report(guard, 1, 0, 9);
    expect(guard.quality.baseline).toBe(1.25);
    expect(guard.state.accuracy).toBe('closed');
  });

  it('window is 20: after 15 perfect reports, 3 failures keep the rolling mean at 0.83, the 4th brings it to 0.79 and opens', () => {
    const { guard } = guardWithDefaults();
    report(guard, 1, 1, 15);
    report(guard, 0, 1, 3);
    expect(guard.state.accuracy).toBe('closed');
    expect(guard.quality.model).toBeCloseTo(15 / 18, 12);
    report(guard, 0, 1);
    expect(guard.state.accuracy).toBe('open');
  });

  it('the window slides: after 20 reports the oldest one leaves the rolling mean', () => {
    const { guard } = guardWithDefaults();
    report(guard, 0.9, 1, 1);
    report(guard, 1, 1, 20);
    expect(guard.quality).toEqual({ model: 1, rules: 1, baseline: undefined, reports: 20 });
  });

  it('halfOpenTrials is 3: two good reports in half_open keep it half-open, the third closes it', () => {
    const { guard } = guardWithDefaults();
    report(guard, 0, 1, 5);
    expect(guard.state.accuracy).toBe('open');
    vi.advanceTimersByTime(30_000);
    expect(guard.state.accuracy).toBe('half_open');
    report(guard, 1, 1, 2);
    expect(guard.state.accuracy).toBe('half_open');
    report(guard, 1, 1);
    expect(guard.state.accuracy).toBe('closed');
  });

  it('an open accuracy breaker ignores reports until its cooldown has passed', () => {
    const { guard } = guardWithDefaults();
    report(guard, 0, 1, 5);
    report(guard, 1, 1, 10);
    expect(guard.quality.reports).toBe(0);
    expect(guard.state.accuracy).toBe('open');
  });
});

describe('model guard defaults', () => {
  it('failureThreshold is 5: four consecutive failures leave it closed, the fifth opens it', async () => {
    const { guard } = guardWithDefaults();
    for (let i = 0; i < 4; i++) await guard.execute(boom);
    expect(guard.state.failure).toBe('closed');
    await guard.execute(boom);
    expect(guard.state.failure).toBe('open');
  });

  it('cooldownMs is 30 s: one millisecond short it is still open, at 30 s it is half-open', async () => {
    const { guard } = guardWithDefaults();
    for (let i = 0; i < 5; i++) await guard.execute(boom);
    vi.advanceTimersByTime(29_999);
    expect(guard.state.failure).toBe('open');
    expect(await guard.execute(() => 1)).toMatchObject({ ok: false, reason: 'BREAKER_OPEN' });
    vi.advanceTimersByTime(1);
    expect(guard.state.failure).toBe('half_open');
  });

  it('halfOpenTrials is 3: after the cooldown two successful trials keep it half-open, the third closes it', async () => {
    const { guard, changes } = guardWithDefaults();
    for (let i = 0; i < 5; i++) await guard.execute(boom);
    vi.advanceTimersByTime(30_000);
    await guard.execute(() => 1);
    await guard.execute(() => 1);
    expect(guard.state.failure).toBe('half_open');
    await guard.execute(() => 1);
    expect(guard.state.failure).toBe('closed');
    expect(changes.at(-1)).toMatchObject({ kind: 'failure', from: 'half_open', to: 'closed', reason: '3 trial calls succeeded' });
  });

  it('halfOpenTrials is 3: half_open admits three concurrent trials and falls back on the fourth', async () => {
    const { guard } = guardWithDefaults();
    for (let i = 0; i < 5; i++) await guard.execute(boom);
    vi.advanceTimersByTime(30_000);
    const pending = [1, 2, 3].map(() => guard.execute(() => new Promise<number>((r) => setTimeout(() => r(1), 10))));
    expect(await guard.execute(() => 1)).toMatchObject({ ok: false, reason: 'BREAKER_OPEN' });
    await vi.advanceTimersByTimeAsync(10);
    expect((await Promise.all(pending)).map((r) => r.ok)).toEqual([true, true, true]);
    expect(guard.state.failure).toBe('closed');
  });

  it('slowCallMs is 100 and slowCalls is 3: three 100 ms calls are not slow, three 101 ms calls open the slow breaker', async () => {
    const { guard } = guardWithDefaults();
    for (let i = 0; i < 3; i++) await guard.execute(taking(100));
    expect(guard.stats.slow).toBe(0);
    expect(guard.state.slow).toBe('closed');
    await guard.execute(taking(101));
    await guard.execute(taking(101));
    expect(guard.state.slow).toBe('closed');
    await guard.execute(taking(101));
    expect(guard.state.slow).toBe('open');
  });

  it('budgetMs is 500: a synchronous 500 ms call is served, a 501 ms call is a TIMEOUT (execute and executeSync)', async () => {
    // A fresh guard per call: three slow calls in a row would open the slow-call breaker.
    expect(await guardWithDefaults().guard.execute(taking(500, 7))).toEqual({ ok: true, value: 7, latencyMs: 500 });
    expect(await guardWithDefaults().guard.execute(taking(501, 7))).toEqual({ ok: false, reason: 'TIMEOUT', latencyMs: 501 });
    expect(guardWithDefaults().guard.executeSync(taking(500, 7))).toEqual({ ok: true, value: 7, latencyMs: 500 });
    expect(guardWithDefaults().guard.executeSync(taking(501, 7))).toEqual({ ok: false, reason: 'TIMEOUT', latencyMs: 501 });
  });

  it('budgetMs is 500: an asynchronous prediction is abandoned at 500 ms as a TIMEOUT', async () => {
    const { guard } = guardWithDefaults();
    let aborted = false;
    const r = guard.execute(({ signal }) => {
      signal.addEventListener('abort', () => (aborted = true));
      return new Promise<number>(() => undefined);
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await r).toEqual({ ok: false, reason: 'TIMEOUT', latencyMs: 500 });
    expect(aborted).toBe(true);
  });
});

describe('fallback reasons', () => {
  it('a throw and a rejection are MODEL_ERROR with the error; neither is a TIMEOUT', async () => {
    const { guard } = guardWithDefaults();
    const thrown = await guard.execute(boom);
    const rejected = await guard.execute(() => Promise.reject(new Error('no')));
    expect(thrown).toMatchObject({ ok: false, reason: 'MODEL_ERROR', error: new Error('boom') });
    expect(rejected).toMatchObject({ ok: false, reason: 'MODEL_ERROR', error: new Error('no') });
    expect(guard.stats).toMatchObject({ calls: 2, modelError: 2, timeout: 0, served: 0 });
  });

  it('an open breaker falls back with BREAKER_OPEN without calling the model', async () => {
    const { guard } = guardWithDefaults();
    for (let i = 0; i < 5; i++) await guard.execute(boom);
    const fn = vi.fn(() => 1);
    expect(await guard.execute(fn)).toEqual({ ok: false, reason: 'BREAKER_OPEN', latencyMs: 0 });
    expect(guard.executeSync(fn)).toEqual({ ok: false, reason: 'BREAKER_OPEN', latencyMs: 0 });
    expect(fn).not.toHaveBeenCalled();
    expect(guard.stats.breakerOpen).toBe(2);
  });
});
