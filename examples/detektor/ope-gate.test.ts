/**
 * The OPE gate on logged simulator data (issue 12 "done when"): decisions served by pisarz's
 * rules with ε-greedy exploration (exact propensities from BanditExplorer), rewards from the
 * audience world, whose hidden truth gives each candidate's true value exactly.
 */
import { describe, expect, it } from 'vitest';
import { allowedActions, resolveExploration } from '../../src/decisions/index.js';
import { evaluateOpeGate, type OpeCandidate, type OpeLoggedDecision } from '../../src/experiments/analysis/ope-gate.js';
import { BanditExplorer } from '../../src/learning/index.js';
import { Rng } from './internal/rng.js';
import { AUDIENCES, DOC_FORMATS, docFormat } from './pisarz.js';
import { pisarzAudienceWorld } from './worlds/index.js';

type Policy = (context: Readonly<Record<string, unknown>>) => string;

const ACTIONS = [...DOC_FORMATS];
/** Exploration of the logging policy (the rules' arm in shadow). */
const SPEC = resolveExploration({ strategy: 'epsilon-greedy', budget: 0.15, epsilon: 0.15, minEpsilon: 0.15 });

/** n decisions served by the rules with ε-greedy exploration. */
function logged(seed: number, n: number): OpeLoggedDecision[] {
  const rng = Rng.derive(seed, 1);
  const draws = Rng.derive(seed, 2);
  const explorer = new BanditExplorer({ random: () => draws.next() });
  const out: OpeLoggedDecision[] = [];
  for (let i = 0; i < n; i++) {
    const u = pisarzAudienceWorld.generate(rng);
    const greedy = docFormat(u.context);
    const c = explorer.choose({ agent: 'pisarz', spec: SPEC, actions: ACTIONS, greedy, allowed: allowedActions(ACTIONS, greedy, u.context, SPEC) });
    const o = u.outcome(c.action);
    out.push({ features: u.context, served: c.action, propensity: c.propensity, reward: 'reward' in o ? o.reward : NaN });
  }
  return out;
}

/** A policy's exact value: every (audience, complexity, API change) context weighted by its probability. */
function trueValue(policy: Policy): number {
  let v = 0;
  for (const audience of AUDIENCES)
    for (let featureComplexity = 1; featureComplexity <= 5; featureComplexity++)
      for (const [hasApiChanges, p] of [[true, 0.3], [false, 0.7]] as const) {
        const context = { audience, featureComplexity, hasApiChanges };
        // The world's expected reward depends on audience and complexity only.
        const unit = expectedOf(audience, featureComplexity);
        v += (p / (AUDIENCES.length * 5)) * unit(policy(context));
      }
  return v;
}

/** The world's hidden expected reward for a context, found by generating units until one matches. */
const expectedCache = new Map<string, (a: string) => number>();
function expectedOf(audience: string, complexity: number): (a: string) => number {
  const key = `${audience}/${complexity}`;
  if (!expectedCache.has(key)) {
    const rng = Rng.derive(99, 99);
    for (;;) {
      const u = pisarzAudienceWorld.generate(rng);
      if (u.context.audience === audience && u.context.featureComplexity === complexity) {
        expectedCache.set(key, u.expected!);
        break;
      }
    }
  }
  return expectedCache.get(key)!;
}

/** A candidate serving `policy`, with a deliberately crude reward model: each action's mean logged reward. */
function candidate(policy: Policy, log: readonly OpeLoggedDecision[]): OpeCandidate {
  const mean = ACTIONS.map((a) => {
    const r = log.filter((d) => d.served === a).map((d) => d.reward);
    return r.length === 0 ? 0 : r.reduce((s, x) => s + x, 0) / r.length;
  });
  return { actions: ACTIONS, rewards: () => mean, policy: (f) => ACTIONS.map((a) => (a === policy(f) ? 1 : 0)) };
}

/** Better than the rules: the audience decides (management and operators read short, newcomers long). */
const better: Policy = (c) =>
  c.audience === 'new-contributors' ? 'full-guide' : c.audience === 'management' ? 'short-note' : c.audience === 'operators' ? 'how-to' : Number(c.featureComplexity) >= 4 ? 'how-to' : 'short-note';
/** Worse than the rules: a full guide for everyone. */
const worse: Policy = () => 'full-guide';
const rules: Policy = (c) => docFormat(c);

const TRIALS = 200;
const N = 1500;
const GATE = { margin: 0.02, minEffectiveSampleSize: 50 } as const;

describe('OPE gate on logged simulator data (seeded)', () => {
  const vRules = trueValue(rules);
  const vBetter = trueValue(better);
  const vWorse = trueValue(worse);

  it('the scenario: the better candidate beats the rules, the worse one loses to them', () => {
    expect(vBetter).toBeGreaterThan(vRules + 0.1);
    expect(vWorse).toBeLessThan(vRules - 0.05);
  });

  it(`the DR 95% interval contains the candidate's true value in ≥ 93% of ${TRIALS} trials`, () => {
    let covered = 0;
    for (let t = 0; t < TRIALS; t++) {
      const log = logged(1000 + t, N);
      const r = evaluateOpeGate(log, candidate(better, log));
      if (r.interval.lower <= vBetter && vBetter <= r.interval.upper) covered++;
    }
    expect(covered / TRIALS).toBeGreaterThanOrEqual(0.93);
  });

  it(`blocks a candidate worse than the rules in ≥ 95% and passes a better one in ≥ 80% of ${TRIALS} trials`, () => {
    let blocked = 0;
    let passed = 0;
    for (let t = 0; t < TRIALS; t++) {
      const log = logged(5000 + t, N);
      if (!evaluateOpeGate(log, candidate(worse, log), GATE).pass) blocked++;
      if (evaluateOpeGate(log, candidate(better, log), GATE).pass) passed++;
    }
    expect(blocked / TRIALS).toBeGreaterThanOrEqual(0.95);
    expect(passed / TRIALS).toBeGreaterThanOrEqual(0.8);
  });

  it('holds without support: without exploration the log of the rules covers only their own actions', () => {
    const rng = Rng.derive(7, 1);
    const log: OpeLoggedDecision[] = Array.from({ length: N }, () => {
      const u = pisarzAudienceWorld.generate(rng);
      const o = u.outcome(docFormat(u.context));
      return { features: u.context, served: docFormat(u.context), propensity: 1, reward: 'reward' in o ? o.reward : NaN };
    });
    const r = evaluateOpeGate(log, candidate(better, log), GATE);
    expect(r.pass).toBe(false);
    expect(r.meanWeight).toBeLessThan(0.9);
    expect(r.reasons.join('; ')).toMatch(/does not cover the candidate/);
  });
});
