import { describe, expect, it } from 'vitest';
import { EventType } from '../../core/index.js';
import { createModelGuard } from './model-guard.js';
import { ServedQualityFeed } from './served-quality.js';

/** Deterministic uniforms (mulberry32). */
function uniforms(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A label agent's served decisions and their outcomes, through the feed into the guard. */
function drive(guard: ReturnType<typeof createModelGuard>, n: number, pModel: number, pRules: number, seed: number, startId = 0): void {
  const u = uniforms(seed);
  const feed = new ServedQualityFeed((_agent, o) => guard.reportServed(o));
  for (let i = startId; i < startId + n; i++) {
    const truth = u() < 0.5 ? 'a' : 'b';
    const other = truth === 'a' ? 'b' : 'a';
    const value = u() < pModel ? truth : other;
    const deterministic = u() < pRules ? truth : other;
    feed.observe({ type: EventType.DecisionMade, data: { decisionId: `d${i}`, agent: 'x', unitId: `u${i}`, value, deterministic, source: 'ml', reason: 'model', variant: 'ml', propensity: 0.05, latencyMs: 1 } });
    feed.observe({ type: EventType.OutcomeRecorded, data: { decisionId: `d${i}`, agent: 'x', label: truth, kind: 'explicit' } });
  }
}

describe('accuracy breaker fed by the served version against the rules on the same outcomes', () => {
  it('stays closed over 1,000 outcomes when the served model is better (0.80 vs 0.61)', () => {
    const guard = createModelGuard({ agent: 'x' });
    drive(guard, 1000, 0.8, 0.61, 1);
    expect(guard.state.accuracy).toBe('closed');
    expect(guard.served.outcomes).toBe(200);
  });

  it('stays closed over 1,000 outcomes when model and rules are equal (0.7 vs 0.7)', () => {
    const guard = createModelGuard({ agent: 'x' });
    drive(guard, 1000, 0.7, 0.7, 2);
    expect(guard.state.accuracy).toBe('closed');
  });

  it('opens when the served model becomes significantly worse than the rules (0.71 vs 0.84), far above the old 20% tolerance', () => {
    const guard = createModelGuard({ agent: 'x' });
    drive(guard, 500, 0.8, 0.61, 3);
    expect(guard.state.accuracy).toBe('closed');
    // 0.71 is within 20% of 0.84: the old rolling-mean rule never opened on this.
    drive(guard, 300, 0.71, 0.84, 4, 500);
    expect(guard.state.accuracy).toBe('open');
  });

  it('keeps the 20%-below-baseline floor on the served outcomes', () => {
    const guard = createModelGuard({ agent: 'x', accuracy: { baseline: 0.9, pairedAlpha: 1e-12 } });
    drive(guard, 200, 0.6, 0.55, 5); // better than the rules, but 0.6 < 0.9 × 0.8
    expect(guard.state.accuracy).toBe('open');
  });

  it('ignores rules-served decisions and numeric outcomes score −|error|', () => {
    const pairs: { model: number; rules: number }[] = [];
    const feed = new ServedQualityFeed((_a, o) => pairs.push({ model: o.model, rules: o.rules }));
    const base = { agent: 'x', unitId: 'u', reason: 'r', variant: 'ml' as const, propensity: 1, latencyMs: 1 };
    feed.observe({ type: EventType.DecisionMade, data: { ...base, decisionId: 'r1', value: 3, deterministic: 3, source: 'deterministic' } });
    feed.observe({ type: EventType.OutcomeRecorded, data: { decisionId: 'r1', value: 4, kind: 'explicit' } });
    feed.observe({ type: EventType.DecisionMade, data: { ...base, decisionId: 'm1', value: 3, deterministic: 6, source: 'ml' } });
    feed.observe({ type: EventType.OutcomeRecorded, data: { decisionId: 'm1', value: 4, kind: 'explicit' } });
    expect(pairs).toEqual([{ model: -1, rules: -2 }]);
  });
});
