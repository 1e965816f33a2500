import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { isValidationError } from '../../core/errors.js';
import { AccuracyBreaker, accuracyDefaults, type AccuracyOptions, type ServedOutcome } from './accuracy-breaker.js';
import type { BreakerStateChange } from './breaker-types.js';
import { Circuit } from './circuit.js';
import reference from './accuracy-breaker.reference.json' with { type: 'json' };

// The served-outcome paired test of the accuracy breaker (`reportServed`): its p-value against
// scipy (accuracy-breaker.reference.json: norm.cdf of z = mean(d) / sqrt(s²/n), d = model − rules),
// the minServed / servedWindow / pairedAlpha defaults at their boundaries, the reason it gives,
// the baseline floor, half-open trials and input checks. Written for the Stryker survivors of
// the resilience group (docs/quality.md).

function breaker(o: Partial<AccuracyOptions> = {}, trials = 2) {
  const clock = { t: 1_000 };
  const changes: BreakerStateChange[] = [];
  const c = new Circuit({
    agent: 'a',
    kind: 'accuracy',
    counter: () => new ConsecutiveBreaker(1_000_000),
    cooldownMs: 100,
    halfOpenTrials: trials,
    gateTrials: false,
    now: () => clock.t,
    emit: (x) => changes.push(x),
  });
  return { b: new AccuracyBreaker(c, { ...accuracyDefaults, ...o }), c, changes, clock };
}

const WORSE: ServedOutcome = { model: 0, rules: 1 }; // d = −1
const BETTER: ServedOutcome = { model: 1, rules: 0 }; // d = +1
const SAME: ServedOutcome = { model: 1, rules: 1 }; // d = 0

/** `bad` outcomes where the model was wrong and the rules right, `good` the reverse, `same` both right. */
function feed(b: AccuracyBreaker, bad: number, good: number, same: number): void {
  for (let i = 0; i < good; i++) b.reportServed(BETTER);
  for (let i = 0; i < same; i++) b.reportServed(SAME);
  for (let i = 0; i < bad; i++) b.reportServed(WORSE);
}

describe('AccuracyBreaker.reportServed: the one-sided paired z-test against scipy', () => {
  for (const r of reference.cases) {
    it(`${r.bad} worse / ${r.good} better / ${r.same} same of ${r.n}: z ${r.z.toFixed(4)}, p ${r.p.toExponential(4)} (opens at alpha p·(1+1e-5), not at p·(1−1e-5))`, () => {
      const above = breaker({ minServed: r.n, servedWindow: r.n, pairedAlpha: r.p * (1 + 1e-5) });
      feed(above.b, r.bad, r.good, r.same);
      expect(above.c.state).toBe('open');
      expect(above.changes).toHaveLength(1);
      expect(above.changes[0]!.reason).toContain(`on the same ${r.n} outcomes`);
      expect(above.changes[0]!.reason).toContain(`(paired z ${r.z.toFixed(2)}, p ${r.p.toExponential(1)} < `);

      const below = breaker({ minServed: r.n, servedWindow: r.n, pairedAlpha: r.p * (1 - 1e-5) });
      feed(below.b, r.bad, r.good, r.same);
      expect(below.c.state).toBe('closed');
      expect(below.b.served.outcomes).toBe(r.n);
    });
  }

  it('at the default alpha 0.01 the breaker opens on p 0.0067 with the full reason, and stays closed on p 0.052', () => {
    const worse = breaker();
    feed(worse.b, 14, 4, 32);
    expect(worse.changes).toEqual([
      {
        agent: 'a',
        kind: 'accuracy',
        from: 'closed',
        to: 'open',
        reason: 'served model worse than the rules on the same 50 outcomes: 0.720 vs 0.920 (paired z -2.47, p 6.7e-3 < 0.01)',
        at: 1_000,
      },
    ]);
    expect(worse.b.served.outcomes).toBe(0); // the window is cleared on opening

    const noisy = breaker();
    feed(noisy.b, 10, 4, 36);
    expect(noisy.c.state).toBe('closed');
    expect(noisy.b.served).toEqual({ outcomes: 50, model: 0.8, rules: expect.closeTo(0.92, 12) });
  });

  it('a model worse on every outcome (variance 0) opens with z −Infinity and p 0', () => {
    const { b, changes } = breaker();
    for (let i = 0; i < 50; i++) b.reportServed({ model: 0.5, rules: 0.75 });
    expect(changes.map((c) => c.reason)).toEqual([
      'served model worse than the rules on the same 50 outcomes: 0.500 vs 0.750 (paired z -Infinity, p 0.0e+0 < 0.01)',
    ]);
  });

  it('a model exactly as good as the rules never opens, even at alpha 0.9', () => {
    const { b, c } = breaker({ pairedAlpha: 0.9 });
    feed(b, 25, 25, 0); // mean difference exactly 0, variance > 0
    expect(c.state).toBe('closed');
    expect(b.served).toEqual({ outcomes: 50, model: 0.5, rules: 0.5 });
  });

  it('a model better than the rules never opens, even at alpha 0.9', () => {
    const { b, c } = breaker({ pairedAlpha: 0.9 });
    feed(b, 20, 30, 0);
    expect(c.state).toBe('closed');
  });
});

describe('AccuracyBreaker.reportServed: defaults at their boundaries', () => {
  it('the defaults are servedWindow 200, minServed 50, pairedAlpha 0.01', () => {
    expect(accuracyDefaults).toMatchObject({ servedWindow: 200, minServed: 50, pairedAlpha: 0.01 });
  });

  it('minServed is 50: 49 outcomes all worse than the rules leave it closed, the 50th opens it', () => {
    const { b, c } = breaker();
    for (let i = 0; i < 49; i++) b.reportServed(WORSE);
    expect(c.state).toBe('closed');
    expect(b.served).toEqual({ outcomes: 49, model: 0, rules: 1 });
    b.reportServed(WORSE);
    expect(c.state).toBe('open');
  });

  it('a configured minServed is used: 3 of 3 worse outcomes open a breaker with minServed 3', () => {
    const { b, c } = breaker({ minServed: 3 });
    b.reportServed(WORSE);
    b.reportServed(WORSE);
    expect(c.state).toBe('closed');
    b.reportServed(WORSE);
    expect(c.state).toBe('open');
  });

  it('servedWindow is 200: the window keeps the latest 200 outcomes', () => {
    const { b, c } = breaker();
    feed(b, 0, 200, 0);
    expect(b.served).toEqual({ outcomes: 200, model: 1, rules: 0 });
    feed(b, 0, 0, 50); // the 50 oldest "better" outcomes leave the window
    expect(b.served).toEqual({ outcomes: 200, model: 1, rules: 0.25 });
    expect(c.state).toBe('closed');
  });

  it('a configured servedWindow is used: with 60, the 20 outcomes before 60 newer ones have left', () => {
    const { b, c } = breaker({ servedWindow: 60 });
    for (let i = 0; i < 20; i++) b.reportServed({ model: 1, rules: 0.5 });
    for (let i = 0; i < 60; i++) b.reportServed({ model: 0.5, rules: 0.5 });
    expect(b.served).toEqual({ outcomes: 60, model: 0.5, rules: 0.5 });
    expect(c.state).toBe('closed');
  });

  it('pairedAlpha 0.01 is the level: p 0.0067 opens at 0.01 but not at a configured 0.005', () => {
    const strict = breaker({ pairedAlpha: 0.005 });
    feed(strict.b, 14, 4, 32);
    expect(strict.c.state).toBe('closed');
  });

  it('pairedAlpha 0 turns the paired test off: a model worse on every outcome (p 0) stays closed', () => {
    const { b, c } = breaker({ pairedAlpha: 0 });
    for (let i = 0; i < 60; i++) b.reportServed(WORSE);
    expect(c.state).toBe('closed');
    expect(b.served).toEqual({ outcomes: 60, model: 0, rules: 1 });
  });

  it('options without the served fields (a config written before them) fall back to the defaults', () => {
    const { servedWindow: _w, minServed: _m, pairedAlpha: _a, ...older } = accuracyDefaults;
    const clock = { t: 0 };
    const c = new Circuit({
      agent: 'a',
      kind: 'accuracy',
      counter: () => new ConsecutiveBreaker(1_000_000),
      cooldownMs: 100,
      halfOpenTrials: 2,
      gateTrials: false,
      now: () => clock.t,
      emit: () => {},
    });
    const b = new AccuracyBreaker(c, older as AccuracyOptions);
    feed(b, 0, 250, 0);
    expect(b.served.outcomes).toBe(200);
    const d = new AccuracyBreaker(c, older as AccuracyOptions);
    feed(d, 14, 4, 31);
    expect(c.state).toBe('closed'); // 49 outcomes: under minServed 50
    feed(d, 0, 0, 1);
    expect(c.state).toBe('open'); // p 0.0067 < 0.01
  });
});

describe('AccuracyBreaker.reportServed: baseline floor, states, input', () => {
  it('the served mean opens the breaker only below baseline × (1 − maxDrop): 0.8 of baseline 1 stays closed, 0.78 opens', () => {
    const at = breaker({ baseline: 1 });
    for (let i = 0; i < 40; i++) at.b.reportServed({ model: 1, rules: 1 });
    for (let i = 0; i < 10; i++) at.b.reportServed({ model: 0, rules: 0 });
    expect(at.b.served.model).toBe(0.8);
    expect(at.c.state).toBe('closed');

    const under = breaker({ baseline: 1 });
    for (let i = 0; i < 39; i++) under.b.reportServed({ model: 1, rules: 1 });
    for (let i = 0; i < 11; i++) under.b.reportServed({ model: 0, rules: 0 });
    expect(under.changes.map((c) => c.reason)).toEqual(['served model quality 0.780 on 50 outcomes is more than 20% below baseline 1.000']);
  });

  it('a baseline given by a quality report applies to the served outcomes', () => {
    const { b, c } = breaker();
    b.report({ model: 1, rules: 1, baseline: 1 });
    for (let i = 0; i < 50; i++) b.reportServed({ model: 0.7, rules: 0.7 });
    expect(c.state).toBe('open');
  });

  it('while open or isolated, served outcomes are ignored', () => {
    const { b, c } = breaker({ minServed: 2 });
    b.reportServed(WORSE);
    b.reportServed(WORSE);
    expect(c.state).toBe('open');
    b.reportServed(SAME);
    expect(b.served.outcomes).toBe(0);
    c.isolate();
    b.reportServed(SAME);
    expect(b.served.outcomes).toBe(0);
  });

  it('half-open: a good served outcome is a successful trial, a bad one re-opens with the reason and clears the window', () => {
    const { b, c, changes, clock } = breaker({ minServed: 2 }, 3);
    b.reportServed(WORSE);
    b.reportServed(WORSE);
    expect(c.state).toBe('open');
    clock.t = 1_100;
    expect(c.state).toBe('half_open');
    b.reportServed(SAME); // 1 outcome: under minServed, a success
    b.reportServed(SAME); // mean 0: a success
    expect(c.state).toBe('half_open');
    expect(b.served.outcomes).toBe(2);
    b.reportServed(SAME);
    expect(changes.at(-1)).toMatchObject({ from: 'half_open', to: 'closed', reason: '3 trial calls succeeded' });

    const again = breaker({ minServed: 2 }, 3);
    again.b.reportServed(WORSE);
    again.b.reportServed(WORSE);
    again.clock.t = 1_100;
    expect(again.c.state).toBe('half_open');
    again.b.reportServed(WORSE); // 1 outcome: under minServed, a success
    expect(again.c.state).toBe('half_open');
    again.b.reportServed(WORSE);
    expect(again.changes.at(-1)).toMatchObject({
      from: 'half_open',
      to: 'open',
      reason: 'trial failed: served model worse than the rules on the same 2 outcomes: 0.000 vs 1.000 (paired z -Infinity, p 0.0e+0 < 0.01)',
    });
    expect(again.b.served.outcomes).toBe(0);
  });

  it('a non-finite score is a ValidationError naming the fields, and nothing is recorded', () => {
    const { b } = breaker();
    for (const o of [{ model: Number.NaN, rules: 1 }, { model: 1, rules: Infinity }, { model: -Infinity, rules: 0 }]) {
      let err: unknown;
      try {
        b.reportServed(o);
      } catch (e) {
        err = e;
      }
      expect(isValidationError(err)).toBe(true);
      expect((err as Error).message).toBe('served outcome scores must be finite numbers');
      expect((err as { issues: unknown }).issues).toEqual([{ path: 'model|rules', message: 'must be a finite number' }]);
    }
    expect(b.served.outcomes).toBe(0);
  });

  it('served means are NaN before any outcome', () => {
    const { b } = breaker();
    expect(b.served.outcomes).toBe(0);
    expect(b.served.model).toBeNaN();
    expect(b.served.rules).toBeNaN();
  });
});
