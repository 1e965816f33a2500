import { describe, expect, it } from 'vitest';
import { allowedActions, resolveExploration, type ExplorationSpec } from '../../decisions/index.js';
import { boltzmann, mixWithGreedy, sampleIndex } from './action-distribution.js';
import { decayedEpsilon } from './epsilon-schedule.js';
import { ExplorationBudget } from './exploration-budget.js';
import { BanditExplorer } from './explorer.js';
import { LinUcb } from './lin-ucb.js';

/** Seeded uniform draws (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACTIONS = ['standard', 'canary', 'stage-first'] as const;
const request = (spec: ExplorationSpec, greedy = 'standard', extra: { scores?: number[]; bonuses?: number[]; allowed?: string[] } = {}) => ({
  agent: 'deployment-specialist',
  spec: resolveExploration(spec),
  actions: ACTIONS,
  greedy,
  allowed: extra.allowed ?? [...ACTIONS],
  ...(extra.scores ? { scores: extra.scores } : {}),
  ...(extra.bonuses ? { bonuses: extra.bonuses } : {}),
});

describe('action distributions', () => {
  it('mixes the greedy action with an exploring distribution into probabilities summing to 1', () => {
    const p = mixWithGreedy(0, boltzmann(3, [1, 2], undefined, 1), 0.1);
    expect([...p]).toEqual([0.9, 0.05, 0.05]);
    expect(sampleIndex(p, 0.89)).toBe(0);
    expect(sampleIndex(p, 0.91)).toBe(1);
    expect(sampleIndex(p, 0.999999)).toBe(2);
  });

  it('Boltzmann weights follow exp(score / T) over the given actions only', () => {
    const p = boltzmann(3, [0, 2], [1, 5, 0], 0.5);
    expect(p[1]).toBe(0);
    expect(p[0]! / p[2]!).toBeCloseTo(Math.exp(2), 12);
    expect(p[0]! + p[2]!).toBeCloseTo(1, 15);
  });

  it('ε decays as ε / (1 + decay·t) down to its floor', () => {
    const s = { epsilon: 0.2, decay: 0.01, minEpsilon: 0.02 };
    expect(decayedEpsilon(0, s)).toBe(0.2);
    expect(decayedEpsilon(100, s)).toBeCloseTo(0.1, 15);
    expect(decayedEpsilon(1e6, s)).toBe(0.02);
  });
});

describe('BanditExplorer', () => {
  it('logs the exact propensity: each action is served as often as its logged probability says', () => {
    const explorer = new BanditExplorer({ random: mulberry32(7) });
    const counts = new Map<string, number>();
    const logged = new Map<string, number>();
    const n = 40_000;
    for (let i = 0; i < n; i++) {
      const c = explorer.choose(request({ strategy: 'epsilon-greedy', budget: 1, epsilon: 0.3 }));
      counts.set(c.action, (counts.get(c.action) ?? 0) + 1);
      logged.set(c.action, c.propensity);
    }
    expect(logged.get('standard')).toBeCloseTo(0.7, 15);
    expect(logged.get('canary')).toBeCloseTo(0.15, 15);
    for (const a of ACTIONS) expect(Math.abs(counts.get(a)! / n - logged.get(a)!)).toBeLessThan(0.01);
  });

  it('softmax serves Boltzmann probabilities over the predicted rewards when the budget allows', () => {
    const explorer = new BanditExplorer({ random: mulberry32(3) });
    const scores = [0.5, 0.4, 0.1];
    const q = boltzmann(3, [0, 1, 2], scores, 0.1);
    const seen = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const c = explorer.choose(request({ strategy: 'softmax', budget: 1, epsilon: 1, temperature: 0.1 }, 'standard', { scores }));
      seen.set(c.action, c.propensity);
    }
    ACTIONS.forEach((a, i) => expect(seen.get(a)).toBeCloseTo(q[i]!, 12));
  });

  it('softmax caps its off-greedy mass at ε', () => {
    const explorer = new BanditExplorer({ random: mulberry32(5) });
    let greedyP = 0;
    for (let i = 0; i < 100; i++) {
      const c = explorer.choose(request({ strategy: 'softmax', budget: 1, epsilon: 0.1, temperature: 10 }, 'standard', { scores: [0, 0, 0] }));
      if (c.action === 'standard') greedyP = c.propensity;
    }
    expect(greedyP).toBeCloseTo(0.9, 12);
  });

  it('never explores an action the rules forbid or leave out of their allowed set', () => {
    const explorer = new BanditExplorer({ random: mulberry32(11) });
    const spec = { strategy: 'epsilon-greedy', budget: 1, epsilon: 0.9, forbidden: ['stage-first'], allowedActionsField: 'allowed' } as const;
    const resolved = resolveExploration(spec);
    const served = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const context = { allowed: i % 2 ? ['standard', 'canary', 'stage-first'] : ['standard'] };
      const allowed = allowedActions(ACTIONS, 'standard', context, resolved);
      const c = explorer.choose(request(spec, 'standard', { allowed }));
      if (i % 2 === 0) expect(c).toEqual({ action: 'standard', propensity: 1, explored: false });
      served.add(c.action);
    }
    expect(served).toEqual(new Set(['standard', 'canary']));
    // A malformed allowed set allows only the greedy answer.
    expect(allowedActions(ACTIONS, 'canary', { allowed: 'everything' }, resolved)).toEqual(['canary']);
  });

  it('holds the exploration budget at every point, even with a greedy ε', () => {
    const explorer = new BanditExplorer({ random: mulberry32(13) });
    let explored = 0;
    for (let i = 1; i <= 5000; i++) {
      if (explorer.choose(request({ strategy: 'epsilon-greedy', budget: 0.05, epsilon: 0.5 })).explored) explored++;
      expect(explored).toBeLessThanOrEqual(0.05 * i);
    }
    const [s] = explorer.stats();
    expect(s).toMatchObject({ agent: 'deployment-specialist', decisions: 5000, explored, budget: 0.05 });
    expect(s!.share).toBeGreaterThan(0.045);
    expect(s!.share).toBeLessThanOrEqual(0.05);
  });

  it('lin-ucb serves the allowed action of highest upper bound within the budget', () => {
    const explorer = new BanditExplorer({ random: mulberry32(17) });
    const spec = { strategy: 'lin-ucb', budget: 1, epsilon: 0.1 } as const;
    const c = explorer.choose(request(spec, 'standard', { scores: [0.5, 0.4, 0.1], bonuses: [0, 0.3, 0] }));
    const p = explorer.choose(request(spec, 'standard', { scores: [0.5, 0.4, 0.1], bonuses: [0, 0.3, 0], allowed: ['standard', 'stage-first'] }));
    expect(c.action === 'canary' ? c.propensity : 0.9).toBeCloseTo(0.9, 12);
    expect(p.action).not.toBe('canary');
  });

  it('budget: rejects a share outside [0, 1]', () => {
    expect(() => new ExplorationBudget(1.5)).toThrow(RangeError);
  });
});

describe('LinUcb', () => {
  it('keeps A⁻¹ exactly: θ equals the ridge solution (XᵀX + λI)⁻¹Xᵀr', () => {
    const rand = mulberry32(1);
    const ucb = new LinUcb({ actions: 1, featureCount: 2, alpha: 1, ridge: 2 });
    const rows: number[][] = [];
    const r: number[] = [];
    for (let i = 0; i < 30; i++) {
      const x = [rand() * 2 - 1, rand()];
      const y = 0.3 * x[0]! - 0.7 * x[1]! + 0.2 + 0.1 * (rand() - 0.5);
      ucb.partialFit(x, 0, y);
      rows.push([...x, 1]);
      r.push(y);
    }
    // Direct solve of the 3×3 ridge system by Gaussian elimination.
    const a = [0, 1, 2].map((i) => [0, 1, 2].map((j) => rows.reduce((s, row) => s + row[i]! * row[j]!, 0) + (i === j ? 2 : 0)));
    const b = [0, 1, 2].map((i) => rows.reduce((s, row, k) => s + row[i]! * r[k]!, 0));
    for (let c = 0; c < 3; c++)
      for (let k = c + 1; k < 3; k++) {
        const f = a[k]![c]! / a[c]![c]!;
        for (let j = c; j < 3; j++) a[k]![j]! -= f * a[c]![j]!;
        b[k]! -= f * b[c]!;
      }
    const theta = [0, 0, 0];
    for (let i = 2; i >= 0; i--) theta[i] = (b[i]! - [0, 1, 2].slice(i + 1).reduce((s, j) => s + a[i]![j]! * theta[j]!, 0)) / a[i]![i]!;
    const x = [0.4, 0.9];
    const { means, bonuses } = ucb.scores(x);
    expect(means[0]).toBeCloseTo(theta[0]! * 0.4 + theta[1]! * 0.9 + theta[2]!, 10);
    expect(bonuses[0]).toBeGreaterThan(0);
  });

  it('learns which action pays in which context', () => {
    const rand = mulberry32(2);
    const ucb = new LinUcb({ actions: 2, featureCount: 1 });
    const explorer = new BanditExplorer({ random: mulberry32(3) });
    const spec = { strategy: 'lin-ucb', budget: 0.2, epsilon: 0.2 } as const;
    let late = 0;
    for (let i = 0; i < 3000; i++) {
      const x = [rand() < 0.5 ? 0 : 1];
      const { means, bonuses } = ucb.scores(x);
      const greedy = means[0]! >= means[1]! ? 'a' : 'b';
      const c = explorer.choose({ agent: 't', spec: resolveExploration(spec), actions: ['a', 'b'], greedy, allowed: ['a', 'b'], scores: means, bonuses });
      const best = x[0] === 1 ? 'b' : 'a';
      const reward = (c.action === best ? 1 : 0) + 0.1 * (rand() - 0.5);
      ucb.partialFit(x, c.action === 'a' ? 0 : 1, reward);
      if (i >= 2000 && greedy === best) late++;
    }
    expect(late).toBe(1000);
  });

  it('rejects bad input', () => {
    expect(() => new LinUcb({ actions: 0, featureCount: 1 })).toThrow(RangeError);
    const u = new LinUcb({ actions: 2, featureCount: 1 });
    expect(() => u.partialFit([1], 2, 1)).toThrow(RangeError);
    expect(() => u.scores([1, 2])).toThrow(RangeError);
  });
});
