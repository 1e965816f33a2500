import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isValidationError } from '../../core/errors.js';
import type { BreakerStateChange } from './breaker-types.js';
import { createModelGuard, type ModelGuard, type ModelGuardOptions } from './model-guard.js';

const boom = (): never => {
  throw new Error('boom');
};
const sleep = (ms: number, value = 1): Promise<number> => new Promise((r) => setTimeout(() => r(value), ms));

function setup(options: Partial<ModelGuardOptions> = {}): {
  guard: ModelGuard;
  changes: BreakerStateChange[];
} {
  const guard = createModelGuard({
    agent: 'debugger',
    cooldownMs: 1_000,
    halfOpenTrials: 2,
    budgetMs: 500,
    latencyNow: () => Date.now(),
    ...options,
  });
  const changes: BreakerStateChange[] = [];
  guard.onStateChange((c) => changes.push(c));
  return { guard, changes };
}

async function failTimes(guard: ModelGuard, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await guard.execute(boom);
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('closed state', () => {
  it('serves the model value with its latency', async () => {
    const { guard } = setup();
    const r = await guard.execute(() => 42);
    expect(r).toEqual({ ok: true, value: 42, latencyMs: 0 });
    expect(guard.state).toEqual({ failure: 'closed', slow: 'closed', accuracy: 'closed' });
  });

  it('returns MODEL_ERROR for a throw and a rejection, never throwing', async () => {
    const { guard } = setup();
    const a = await guard.execute(boom);
    const b = await guard.execute(() => Promise.reject(new Error('no')));
    expect(a).toMatchObject({ ok: false, reason: 'MODEL_ERROR' });
    expect(b).toMatchObject({ ok: false, reason: 'MODEL_ERROR' });
    expect(guard.stats.modelError).toBe(2);
  });

  it('a success resets the consecutive failure count', async () => {
    const { guard } = setup();
    await failTimes(guard, 4);
    await guard.execute(() => 1);
    await failTimes(guard, 4);
    expect(guard.state.failure).toBe('closed');
  });
});

describe('closed → open', () => {
  it('failure: opens after 5 consecutive failures, then falls back with BREAKER_OPEN', async () => {
    const { guard, changes } = setup();
    await failTimes(guard, 5);
    expect(guard.state.failure).toBe('open');
    expect(changes).toEqual([
      expect.objectContaining({
        agent: 'debugger',
        kind: 'failure',
        from: 'closed',
        to: 'open',
        at: Date.now(),
      }),
    ]);
    const fn = vi.fn(() => 1);
    expect(await guard.execute(fn)).toMatchObject({ ok: false, reason: 'BREAKER_OPEN' });
    expect(fn).not.toHaveBeenCalled();
  });

  it('slow: opens after 3 consecutive slow successes', async () => {
    const { guard, changes } = setup();
    for (let i = 0; i < 3; i++) {
      const p = guard.execute(() => sleep(150));
      await vi.advanceTimersByTimeAsync(150);
      expect(await p).toMatchObject({ ok: true, latencyMs: 150 });
    }
    expect(guard.state.slow).toBe('open');
    expect(changes[0]).toMatchObject({ kind: 'slow', from: 'closed', to: 'open' });
    expect(changes[0]?.reason).toContain('slow call');
    expect(guard.stats.slow).toBe(3);
  });

  it('slow: opens when the slow rate over the window exceeds the threshold', async () => {
    const { guard } = setup({ slowCalls: 100, slowWindow: 10, slowMinimumCalls: 10, slowRateThreshold: 0.5 });
    // alternate fast and slow: never 100 in a row, but 6 of 10 slow > 50 %.
    const pattern = [true, false, true, false, true, false, true, false, true, true];
    for (const slow of pattern) {
      const p = guard.execute(() => (slow ? sleep(150) : 1));
      if (slow) await vi.advanceTimersByTimeAsync(150);
      await p;
    }
    expect(guard.state.slow).toBe('open');
  });

  it('a timeout counts as a failure and aborts the prediction signal', async () => {
    const { guard } = setup({ failureThreshold: 2 });
    const seen: AbortSignal[] = [];
    const hang = ({ signal }: { signal: AbortSignal }): Promise<number> => {
      seen.push(signal);
      return new Promise<number>(() => undefined);
    };
    for (let i = 0; i < 2; i++) {
      const p = guard.execute(hang, { budgetMs: 20 });
      await vi.advanceTimersByTimeAsync(20);
      expect(await p).toMatchObject({ ok: false, reason: 'TIMEOUT', latencyMs: 20 });
    }
    expect(seen.every((s) => s.aborted)).toBe(true);
    expect(guard.state.failure).toBe('open');
  });

  it('a synchronous prediction that overruns its budget is a TIMEOUT and counts as slow', async () => {
    const { guard } = setup({ budgetMs: 200, failureThreshold: 10 });
    const cpuBound = (): number => {
      vi.advanceTimersByTime(300); // stands in for 300 ms of blocking work
      return 1;
    };
    expect(await guard.execute(cpuBound)).toMatchObject({ ok: false, reason: 'TIMEOUT', latencyMs: 300 });
    expect(guard.stats).toMatchObject({ timeout: 1, slow: 1, served: 0 });
  });

  it('accuracy: opens when rolling quality drops > 20 % below baseline and calls onOpen', async () => {
    const { guard } = setup({ accuracy: { minReports: 3, window: 5 } });
    const opened: BreakerStateChange[] = [];
    guard.onOpen((c) => opened.push(c));
    guard.reportQuality({ model: 0.9, rules: 0.6, baseline: 0.9 });
    guard.reportQuality({ model: 0.6, rules: 0.6 });
    expect(guard.state.accuracy).toBe('closed');
    guard.reportQuality({ model: 0.5, rules: 0.4 }); // mean 0.667 < 0.72
    expect(guard.state.accuracy).toBe('open');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ kind: 'accuracy', to: 'open' });
    expect(opened[0]?.reason).toContain('below baseline');
    expect(await guard.execute(() => 1)).toMatchObject({ ok: false, reason: 'BREAKER_OPEN' });
  });

  it('accuracy: opens when the model falls more than 20% below the rules, not within that margin', () => {
    const { guard, changes } = setup({ accuracy: { minReports: 2 } });
    guard.reportQuality({ model: 0.7, rules: 0.8 });
    guard.reportQuality({ model: 0.7, rules: 0.8 });
    expect(guard.state.accuracy).toBe('closed');
    guard.reportQuality({ model: 0.3, rules: 0.8 });
    guard.reportQuality({ model: 0.3, rules: 0.8 });
    expect(guard.state.accuracy).toBe('open');
    expect(changes[0]?.reason).toContain('below the rules');
  });

  it('accuracy: rejects non-finite reports with a validation error', () => {
    const { guard } = setup();
    expect(() => guard.reportQuality({ model: NaN, rules: 1 })).toThrow(expect.toSatisfy(isValidationError));
  });
});

describe('open → half_open → closed | open', () => {
  it('moves to half_open after the cooldown and closes after the trial calls succeed', async () => {
    const { guard, changes } = setup();
    await failTimes(guard, 5);
    vi.advanceTimersByTime(999);
    expect(await guard.execute(() => 1)).toMatchObject({ reason: 'BREAKER_OPEN' });
    vi.advanceTimersByTime(1);
    expect(guard.state.failure).toBe('half_open');
    expect(await guard.execute(() => 1)).toMatchObject({ ok: true });
    expect(guard.state.failure).toBe('half_open');
    expect(await guard.execute(() => 2)).toMatchObject({ ok: true, value: 2 });
    expect(guard.state.failure).toBe('closed');
    expect(changes.map((c) => `${c.from}>${c.to}`)).toEqual([
      'closed>open',
      'open>half_open',
      'half_open>closed',
    ]);
  });

  it('admits only halfOpenTrials concurrent trials; others fall back', async () => {
    const { guard } = setup();
    await failTimes(guard, 5);
    vi.advanceTimersByTime(1_000);
    const trials = [guard.execute(() => sleep(10)), guard.execute(() => sleep(10))];
    expect(await guard.execute(() => 3)).toMatchObject({ ok: false, reason: 'BREAKER_OPEN' });
    await vi.advanceTimersByTimeAsync(10);
    expect(await Promise.all(trials)).toMatchObject([{ ok: true }, { ok: true }]);
    expect(guard.state.failure).toBe('closed');
  });

  it('re-opens on a failed trial and waits a new cooldown', async () => {
    const { guard, changes } = setup();
    await failTimes(guard, 5);
    vi.advanceTimersByTime(1_000);
    expect(await guard.execute(boom)).toMatchObject({ ok: false, reason: 'MODEL_ERROR' });
    expect(guard.state.failure).toBe('open');
    expect(changes.at(-1)).toMatchObject({ from: 'half_open', to: 'open' });
    expect(changes.at(-1)?.reason).toContain('trial failed');
    vi.advanceTimersByTime(500);
    expect(await guard.execute(() => 1)).toMatchObject({ reason: 'BREAKER_OPEN' });
  });

  it('slow breaker: a slow trial re-opens it', async () => {
    const { guard } = setup();
    for (let i = 0; i < 3; i++) {
      const p = guard.execute(() => sleep(150));
      await vi.advanceTimersByTimeAsync(150);
      await p;
    }
    await vi.advanceTimersByTimeAsync(1_000);
    const p = guard.execute(() => sleep(150));
    await vi.advanceTimersByTimeAsync(150);
    expect(await p).toMatchObject({ ok: true });
    expect(guard.state.slow).toBe('open');
  });

  it('accuracy: half_open lets calls through; good reports close it, a bad one re-opens', async () => {
    const { guard, changes } = setup({ accuracy: { minReports: 1, baseline: 0.9 } });
    guard.reportQuality({ model: 0.5, rules: 0.4 });
    expect(guard.state.accuracy).toBe('open');
    vi.advanceTimersByTime(1_000);
    expect(await guard.execute(() => 1)).toMatchObject({ ok: true });
    guard.reportQuality({ model: 0.5, rules: 0.4 });
    expect(guard.state.accuracy).toBe('open');
    vi.advanceTimersByTime(1_000);
    guard.reportQuality({ model: 0.9, rules: 0.4 });
    guard.reportQuality({ model: 0.88, rules: 0.4 });
    expect(guard.state.accuracy).toBe('closed');
    expect(changes.map((c) => `${c.kind}:${c.to}`)).toEqual([
      'accuracy:open',
      'accuracy:half_open',
      'accuracy:open',
      'accuracy:half_open',
      'accuracy:closed',
    ]);
  });
});

describe('executeSync', () => {
  it('returns data synchronously: value, MODEL_ERROR, TIMEOUT, then BREAKER_OPEN', () => {
    const { guard } = setup({ failureThreshold: 3, budgetMs: 100 });
    expect(guard.executeSync(() => 5)).toEqual({ ok: true, value: 5, latencyMs: 0 });
    expect(guard.executeSync(boom)).toMatchObject({ ok: false, reason: 'MODEL_ERROR' });
    expect(guard.executeSync(() => Promise.resolve(1))).toMatchObject({ ok: false, reason: 'MODEL_ERROR' });
    const overrun = guard.executeSync(() => {
      vi.advanceTimersByTime(150);
      return 1;
    });
    expect(overrun).toMatchObject({ ok: false, reason: 'TIMEOUT', latencyMs: 150 });
    expect(guard.executeSync(() => 1)).toMatchObject({ ok: false, reason: 'BREAKER_OPEN' });
  });
});

describe('manual overrides', () => {
  it('isolate() holds every breaker open until reset()', async () => {
    const { guard, changes } = setup();
    guard.isolate('operator drill');
    expect(guard.state).toEqual({ failure: 'isolated', slow: 'isolated', accuracy: 'isolated' });
    vi.advanceTimersByTime(60_000);
    expect(await guard.execute(() => 1)).toMatchObject({ reason: 'BREAKER_OPEN' });
    guard.reset();
    expect(guard.state).toEqual({ failure: 'closed', slow: 'closed', accuracy: 'closed' });
    expect(await guard.execute(() => 1)).toMatchObject({ ok: true });
    expect(changes.filter((c) => c.to === 'isolated').map((c) => c.reason)).toEqual([
      'operator drill',
      'operator drill',
      'operator drill',
    ]);
    expect(changes.filter((c) => c.to === 'closed')).toHaveLength(3);
  });

  it('reset() closes an open breaker and forgets its counts', async () => {
    const { guard } = setup();
    await failTimes(guard, 5);
    guard.reset();
    await failTimes(guard, 4);
    expect(guard.state.failure).toBe('closed');
  });

  it('an unsubscribed or throwing listener does not break calls', async () => {
    const { guard } = setup({ failureThreshold: 1 });
    const off = guard.onStateChange(() => {
      throw new Error('listener bug');
    });
    const seen = vi.fn();
    const offSeen = guard.onStateChange(seen);
    offSeen();
    expect(await guard.execute(boom)).toMatchObject({ reason: 'MODEL_ERROR' });
    expect(seen).not.toHaveBeenCalled();
    off();
  });
});

describe('cancellation', () => {
  it("a caller's abort ends the call as TIMEOUT without counting against the model", async () => {
    const { guard } = setup({ failureThreshold: 1 });
    const ac = new AbortController();
    let inner: AbortSignal | undefined;
    const p = guard.execute(
      ({ signal }) => {
        inner = signal;
        return new Promise<number>(() => undefined);
      },
      { signal: ac.signal },
    );
    ac.abort();
    expect(await p).toMatchObject({ ok: false, reason: 'TIMEOUT' });
    expect(inner?.aborted).toBe(true);
    expect(guard.state.failure).toBe('closed');
  });
});

describe('options', () => {
  it('rejects bad options naming each field', () => {
    expect(() => createModelGuard({ agent: '', failureThreshold: 0, accuracy: { maxDrop: 2 } })).toThrow(
      /agent .*failureThreshold .*accuracy\.maxDrop/,
    );
  });
  it('an explicit undefined keeps the default', async () => {
    const { guard } = setup({ failureThreshold: undefined });
    await failTimes(guard, 4);
    expect(guard.state.failure).toBe('closed');
  });
});
