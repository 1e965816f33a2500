import { CircuitState, ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { isValidationError } from '../../core/errors.js';
import { AccuracyBreaker, accuracyDefaults, degradation } from './accuracy-breaker.js';
import type { BreakerStateChange } from './breaker-types.js';
import { Circuit } from './circuit.js';
import { SlowCallBreaker } from './slow-call-breaker.js';

// Every transition of the breaker state machine with the exact change it emits (from, to,
// reason, at), and the edges where nothing may happen. Named after the Stryker survivors they
// kill (docs/quality.md, resilience group).

function circuit(o: { threshold?: number; trials?: number; gateTrials?: boolean } = {}) {
  const clock = { t: 1_000 };
  const changes: BreakerStateChange[] = [];
  const c = new Circuit({
    agent: 'a',
    kind: 'failure',
    counter: () => new ConsecutiveBreaker(o.threshold ?? 2),
    cooldownMs: 100,
    halfOpenTrials: o.trials ?? 2,
    gateTrials: o.gateTrials ?? true,
    now: () => clock.t,
    emit: (x) => changes.push(x),
  });
  return { c, changes, clock };
}

const change = (from: string, to: string, reason: string, at: number) => ({ agent: 'a', kind: 'failure', from, to, reason, at });

describe('Circuit transitions and their reasons', () => {
  it('closed → open on the counter, open → half_open after the cooldown, half_open → closed after the trials', () => {
    const { c, changes, clock } = circuit();
    c.failure('boom');
    expect(changes).toEqual([]);
    c.failure('boom');
    clock.t = 1_099;
    expect(c.state).toBe('open');
    expect(c.tryAcquire()).toBe(false);
    clock.t = 1_100;
    expect(c.tryAcquire()).toBe(true);
    c.success();
    expect(c.state).toBe('half_open');
    expect(c.tryAcquire()).toBe(true);
    c.success();
    expect(changes).toEqual([
      change('closed', 'open', 'boom', 1_000),
      change('open', 'half_open', 'cooldown of 100 ms elapsed', 1_100),
      change('half_open', 'closed', '2 trial calls succeeded', 1_100),
    ]);
    expect(c.isClosed).toBe(true);
  });

  it('a failed trial re-opens with "trial failed: <reason>" and a fresh cooldown', () => {
    const { c, changes, clock } = circuit({ threshold: 1 });
    c.failure('x');
    clock.t = 1_100;
    expect(c.tryAcquire()).toBe(true);
    clock.t = 1_150;
    c.failure('slow');
    expect(changes.at(-1)).toEqual(change('half_open', 'open', 'trial failed: slow', 1_150));
    clock.t = 1_249;
    expect(c.state).toBe('open');
    clock.t = 1_250;
    expect(c.state).toBe('half_open');
  });

  it('a closed circuit starts counting afresh after it closes (a new counter on close)', () => {
    const { c, clock } = circuit({ threshold: 2, trials: 1 });
    c.failure('x');
    c.failure('x');
    clock.t = 1_100;
    c.tryAcquire();
    c.success();
    expect(c.state).toBe('closed');
    c.failure('x');
    expect(c.state).toBe('closed');
  });

  it('success in closed resets the consecutive count', () => {
    const { c } = circuit({ threshold: 2 });
    c.failure('x');
    c.success();
    c.failure('x');
    expect(c.state).toBe('closed');
  });

  it('trip() opens from closed and from half_open, not from open or isolated', () => {
    const { c, changes, clock } = circuit();
    c.trip('quality');
    expect(changes.at(-1)).toEqual(change('closed', 'open', 'quality', 1_000));
    c.trip('again');
    expect(changes).toHaveLength(1);
    clock.t = 1_100;
    expect(c.state).toBe('half_open');
    c.trip('quality 2');
    expect(changes.at(-1)).toEqual(change('half_open', 'open', 'quality 2', 1_100));
    c.isolate();
    const n = changes.length;
    c.trip('x');
    c.failure('x');
    c.success();
    expect(changes).toHaveLength(n);
    expect(c.state).toBe('isolated');
  });

  it('isolate() and reset() emit their default reasons once; an isolated circuit admits nothing', () => {
    const { c, changes } = circuit();
    c.isolate();
    c.isolate();
    expect(c.tryAcquire()).toBe(false);
    c.reset();
    c.reset();
    expect(changes).toEqual([change('closed', 'isolated', 'manual isolate', 1_000), change('isolated', 'closed', 'manual reset', 1_000)]);
    c.isolate('ops');
    c.reset('ops done');
    expect(changes.slice(2).map((x) => x.reason)).toEqual(['ops', 'ops done']);
  });

  it('reset() on a closed circuit forgets its count without emitting', () => {
    const { c, changes } = circuit({ threshold: 2 });
    c.failure('x');
    c.reset();
    c.failure('x');
    expect(c.state).toBe('closed');
    expect(changes).toEqual([]);
  });

  it('results arriving while open are ignored', () => {
    const { c, changes } = circuit({ threshold: 1 });
    c.failure('x');
    c.success();
    c.failure('y');
    expect(changes).toHaveLength(1);
    expect(c.state).toBe('open');
  });

  it('half_open admits exactly halfOpenTrials permits; release() gives one back only in half_open', () => {
    const { c, clock } = circuit({ threshold: 1, trials: 2 });
    c.release(); // closed: nothing to give back
    c.failure('x');
    clock.t = 1_100;
    expect([c.tryAcquire(), c.tryAcquire(), c.tryAcquire()]).toEqual([true, true, false]);
    c.release();
    c.release();
    c.release(); // never below zero
    expect([c.tryAcquire(), c.tryAcquire(), c.tryAcquire()]).toEqual([true, true, false]);
  });

  it('without gated trials half_open admits every call, and release() changes nothing', () => {
    const { c, clock } = circuit({ threshold: 1, trials: 1, gateTrials: false });
    c.failure('x');
    clock.t = 1_100;
    expect([c.tryAcquire(), c.tryAcquire(), c.tryAcquire()]).toEqual([true, true, true]);
    c.release();
    expect(c.state).toBe('half_open');
  });
});

describe('SlowCallBreaker', () => {
  it('the window rate needs minimumCalls calls, capped at the window size', () => {
    // minimumCalls 10 > window 4: judged from 4 calls. 3 of 4 slow > 50 % opens.
    const b = new SlowCallBreaker({ consecutive: 99, rateThreshold: 0.5, windowSize: 4, minimumCalls: 10 });
    b.failure(CircuitState.Closed);
    b.success(CircuitState.Closed);
    b.failure(CircuitState.Closed);
    expect(b.failure(CircuitState.Closed)).toBe(true);
  });

  it('a success breaks the consecutive run', () => {
    const b = new SlowCallBreaker({ consecutive: 2, rateThreshold: 0.99, windowSize: 100, minimumCalls: 100 });
    expect(b.failure(CircuitState.Closed)).toBe(false);
    b.success(CircuitState.Closed);
    expect(b.failure(CircuitState.Closed)).toBe(false);
    expect(b.failure(CircuitState.Closed)).toBe(true);
  });

  it('its state holds both counters and restores them', () => {
    const b = new SlowCallBreaker({ consecutive: 3, rateThreshold: 0.99, windowSize: 100, minimumCalls: 100 });
    b.failure(CircuitState.Closed);
    b.failure(CircuitState.Closed);
    const copy = new SlowCallBreaker({ consecutive: 3, rateThreshold: 0.99, windowSize: 100, minimumCalls: 100 });
    copy.state = b.state;
    expect(copy.state).toEqual({ run: 2, rate: expect.anything() });
    expect(copy.failure(CircuitState.Closed)).toBe(true);
  });
});

describe('AccuracyBreaker reports', () => {
  const make = () => {
    const { c, changes, clock } = circuit();
    return { b: new AccuracyBreaker(c, { ...accuracyDefaults }), c, changes, clock };
  };

  it('a non-finite value is a ValidationError naming the fields', () => {
    const { b } = make();
    for (const r of [{ model: Number.NaN, rules: 1 }, { model: 1, rules: Infinity }, { model: 1, rules: 1, baseline: Number.NaN }]) {
      let err: unknown;
      try {
        b.report(r);
      } catch (e) {
        err = e;
      }
      expect(isValidationError(err)).toBe(true);
      expect((err as Error).message).toBe('quality report values must be finite numbers');
      expect((err as { issues: unknown }).issues).toEqual([{ path: 'model|rules|baseline', message: 'must be a finite number' }]);
    }
    expect(b.rolling.reports).toBe(0);
  });

  it('the rolling means are NaN before any report, then the means of the reports', () => {
    const { b } = make();
    expect(b.rolling.model).toBeNaN();
    expect(b.rolling.rules).toBeNaN();
    b.report({ model: 1, rules: 0.5 });
    b.report({ model: 0.5, rules: 1 });
    expect(b.rolling).toEqual({ model: 0.75, rules: 0.75, baseline: undefined, reports: 2 });
  });

  it('opening clears the window: after recovery the verdict rests on fresh reports only', () => {
    const { b, changes, clock } = make();
    for (let i = 0; i < 5; i++) b.report({ model: 0, rules: 1 });
    expect(changes.at(-1)?.reason).toBe("rolling model quality 0.0000 is below the rules' 1.0000");
    expect(b.rolling.reports).toBe(0);
    clock.t = 1_100;
    b.report({ model: 1, rules: 1 });
    expect(b.rolling.reports).toBe(1);
    b.report({ model: 0, rules: 1 });
    expect(changes.at(-1)).toMatchObject({ from: 'half_open', to: 'open', reason: "trial failed: model quality 0.0000 is below the rules' 1.0000" });
    expect(b.rolling.reports).toBe(0);
  });

  it('degradation() names the baseline drop first, then the rules gap, else nothing', () => {
    const o = { maxDrop: 0.2, rulesMargin: 0.2 };
    expect(degradation(0.5, 1, 1, o)).toBe('model quality 0.5000 is more than 20% below baseline 1.0000');
    expect(degradation(0.5, 1, undefined, o)).toBe("model quality 0.5000 is below the rules' 1.0000");
    expect(degradation(0.9, 1, 1, o)).toBeUndefined();
  });
});
