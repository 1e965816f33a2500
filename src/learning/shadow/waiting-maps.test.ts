import { describe, expect, it } from 'vitest';
import type { DecisionData, OutcomeData } from '../../core/index.js';
import type { ShadowResultData } from './shadow-result.js';
import { ShadowStats } from './shadow-stats.js';
import { VersionQuality } from './version-quality.js';

// The followers' waiting maps hold only what something can still join (issue 15: in the soak
// both filled to their 100,000 bound with entries of a rules-only agent that nothing would join).

const decision = (id: string, agent: string, over: Partial<DecisionData> = {}): DecisionData => ({
  decisionId: id,
  agent,
  unitId: `u-${id}`,
  value: 'approve',
  deterministic: 'approve',
  source: 'deterministic',
  reason: 'ok',
  variant: 'deterministic',
  propensity: 1,
  latencyMs: 0.1,
  ...over,
});
const outcome = (id: string, agent: string, label = 'approve'): OutcomeData => ({
  decisionId: id,
  agent,
  label,
  kind: 'explicit',
});
const result = (id: string, agent: string, modelValue = 'approve'): ShadowResultData => ({
  decisionId: id,
  agent,
  unitId: `u-${id}`,
  modelVersion: 1,
  rulesValue: 'approve',
  modelValue,
  agree: modelValue === 'approve',
  latencyMs: 0.2,
});

describe('ShadowStats: outcomes wait for a shadow result only where a model runs in shadow', () => {
  it("a rules-only agent's outcomes are not held", () => {
    const s = new ShadowStats();
    for (let i = 0; i < 50; i++) s.addOutcome(outcome(`d${i}`, 'rules-only'));
    expect(s.bounds().outcomes.size).toBe(0);
    expect(s.get('rules-only')).toBeUndefined();
  });

  it("a shadowed agent's early outcome waits and joins its late result", () => {
    const s = new ShadowStats();
    s.addResult(result('d0', 'shadowed'));
    s.addOutcome(outcome('d1', 'shadowed', 'reject')); // before its result
    expect(s.bounds().outcomes.size).toBe(1);
    s.addResult(result('d1', 'shadowed', 'reject'));
    expect(s.bounds().outcomes.size).toBe(0);
    expect(s.get('shadowed')).toMatchObject({ total: 2, withOutcome: 1 });
  });

  it('an outcome that names no agent still waits (older events)', () => {
    const s = new ShadowStats();
    s.addOutcome({ decisionId: 'd0', label: 'approve', kind: 'explicit' });
    expect(s.bounds().outcomes.size).toBe(1);
  });
});

describe('VersionQuality: a judged decision waits for a late answer only where a model can give one', () => {
  it("a rules-only agent's decision leaves the map once its outcome is judged", () => {
    const q = new VersionQuality();
    for (let i = 0; i < 20; i++) q.addDecision(decision(`d${i}`, 'rules-only'));
    expect(q.bounds().size).toBe(20);
    for (let i = 0; i < 20; i++)
      q.addOutcome(outcome(`d${i}`, 'rules-only', i % 4 === 0 ? 'reject' : 'approve'));
    expect(q.bounds().size).toBe(0);
    expect(q.rulesOf('rules-only')).toMatchObject({ count: 20 });
  });

  it("a shadowed agent's judged decision still takes the shadow answer stored after its outcome", () => {
    const q = new VersionQuality();
    q.addDecision(decision('d0', 'shadowed'));
    q.addShadow(result('d0', 'shadowed'));
    q.addOutcome(outcome('d0', 'shadowed'));
    q.addDecision(decision('d1', 'shadowed'));
    q.addOutcome(outcome('d1', 'shadowed', 'reject'));
    expect(q.bounds().size).toBe(2);
    q.addShadow(result('d1', 'shadowed', 'reject')); // the usual race: answer stored after the outcome
    expect(q.model('shadowed', 1)).toMatchObject({ count: 2 });
  });

  it('an agent served by a model (source ml) keeps its judged decisions too', () => {
    const q = new VersionQuality();
    q.addDecision(decision('d0', 'served', { source: 'ml', modelVersion: 3, value: 'reject' }));
    q.addOutcome(outcome('d0', 'served', 'reject'));
    expect(q.bounds().size).toBe(1);
    expect(q.model('served', 3)).toMatchObject({ count: 1 });
  });
});
