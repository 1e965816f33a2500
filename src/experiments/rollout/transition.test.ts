import { describe, expect, it } from 'vitest';
import { isApprenticeError } from '../../core/errors.js';
import type { CanaryState, RolloutState, ShadowState } from './rollout-state.js';
import { describeState, experimentOf, percentageOf } from './rollout-state.js';
import { type RolloutCommand, transition } from './transition.js';

const T0 = '2025-01-01T00:00:00.000Z';
const NOW = '2025-01-02T00:00:00.000Z';
let n = 0;
const ctx = { now: NOW, newExperimentId: () => `exp-${++n}` };

const shadow: ShadowState = { phase: 'shadow', since: T0 };
const canary = (percentage: 5 | 25 | 50 | 100): CanaryState => ({ phase: 'canary', percentage, experimentId: `e${percentage}`, since: T0 });
const promoted: RolloutState = { phase: 'promoted', since: T0 };
const rolledBack: RolloutState = { phase: 'rolled_back', since: T0, fromPercentage: 25, reason: 'loss' };
const pausedShadow: RolloutState = { phase: 'paused', since: T0, paused: shadow };
const pausedCanary: RolloutState = { phase: 'paused', since: T0, paused: canary(25) };

const advance: RolloutCommand = { kind: 'advance' };
const rollback: RolloutCommand = { kind: 'rollback', reason: 'operator' };
const pause: RolloutCommand = { kind: 'pause' };
const resume: RolloutCommand = { kind: 'resume' };

/** Every (state, command) pair: the expected result label, or null when refused with 409. */
const table: [RolloutState, RolloutCommand, string | null][] = [
  [shadow, advance, 'canary-5'],
  [shadow, rollback, null],
  [shadow, pause, 'paused(shadow)'],
  [shadow, resume, null],
  [canary(5), advance, 'canary-25'],
  [canary(25), advance, 'canary-50'],
  [canary(50), advance, 'canary-100'],
  [canary(100), advance, 'promoted'],
  [canary(5), rollback, 'rolled_back'],
  [canary(50), rollback, 'rolled_back'],
  [canary(25), pause, 'paused(canary-25)'],
  [canary(25), resume, null],
  [promoted, advance, null],
  [promoted, rollback, 'rolled_back'],
  [promoted, pause, null],
  [promoted, resume, null],
  [rolledBack, advance, 'shadow'],
  [rolledBack, rollback, null],
  [rolledBack, pause, null],
  [rolledBack, resume, null],
  [pausedShadow, advance, null],
  [pausedShadow, rollback, 'rolled_back'],
  [pausedShadow, pause, null],
  [pausedShadow, resume, 'shadow'],
  [pausedCanary, advance, null],
  [pausedCanary, rollback, 'rolled_back'],
  [pausedCanary, pause, null],
  [pausedCanary, resume, 'canary-25'],
];

describe('rollout state machine', () => {
  it.each(table.map(([s, c, r]) => [describeState(s), c.kind, r, s, c] as const))('%s + %s → %s', (_s, _c, expected, state, command) => {
    if (expected === null) {
      let err: unknown;
      try {
        transition(state, command, ctx);
      } catch (e) {
        err = e;
      }
      expect(isApprenticeError(err) && err.code).toBe('CONFLICT');
      return;
    }
    const next = transition(state, command, ctx);
    expect(describeState(next)).toBe(expected);
    expect(next.since).toBe(NOW);
  });

  it('each traffic step starts a new experiment; resume keeps the paused one', () => {
    const a = transition(shadow, advance, ctx);
    const b = transition(a, advance, ctx);
    expect(experimentOf(a)).toBeDefined();
    expect(experimentOf(b)).not.toBe(experimentOf(a));
    const p = transition(b, pause, ctx);
    expect(experimentOf(p)).toBe(experimentOf(b));
    expect(experimentOf(transition(p, resume, ctx))).toBe(experimentOf(b));
  });

  it('rollback records where it came from and why; percentages follow the state', () => {
    const r = transition(pausedCanary, { kind: 'rollback', reason: 'p95 breach' }, ctx);
    expect(r).toMatchObject({ phase: 'rolled_back', fromPercentage: 25, reason: 'p95 breach' });
    expect([shadow, canary(5), canary(50), promoted, rolledBack, pausedCanary].map(percentageOf)).toEqual([0, 5, 50, 100, 0, 25]);
  });

  it('walks shadow → 5 → 25 → 50 → 100 → promoted', () => {
    const seen: string[] = [];
    let s: RolloutState = shadow;
    for (let i = 0; i < 5; i++) seen.push(describeState((s = transition(s, advance, ctx))));
    expect(seen).toEqual(['canary-5', 'canary-25', 'canary-50', 'canary-100', 'promoted']);
  });
});
