/**
 * Label-delay-aware step analysis on the delayed-label world (issue 12 "done when"): canary
 * releases are judged after a long soak unless they fail, standard ones at once. The model arm
 * ships canary unless standard is clearly best (0.25 more expected reward; better than the rules); judged when the step's
 * traffic ends, its arrived outcomes over-represent its failed canaries and it looks worse —
 * the wrong way. The analysis estimates the delays from the
 * agent's own log and waits.
 */
import { describe, expect, it } from 'vitest';
import { allowedActions, resolveExploration } from '../../src/decisions/index.js';
import { type StepRecord, checkOutcomeDelay, estimateDelays } from '../../src/experiments/analysis/label-delay.js';
import { BanditExplorer } from '../../src/learning/index.js';
import { DEPLOYMENT_STRATEGIES } from './deployment-specialist.js';
import { Rng } from './internal/rng.js';
import { delayedDeploymentWorld } from './worlds/index.js';

const ACTIONS = [...DEPLOYMENT_STRATEGIES];
const rules = (c: Readonly<Record<string, unknown>>): string => String(delayedDeploymentWorld.agent.rules(c));

interface Judged extends StepRecord {
  readonly reward: number;
}

/** Time = decision index. History: the rules with 15% exploration; then a 50/50 step of `n` decisions. */
function scenario(seed: number, history: number, n: number) {
  const rng = Rng.derive(seed, 1);
  const draws = Rng.derive(seed, 2);
  const explorer = new BanditExplorer({ random: () => draws.next() });
  const spec = resolveExploration({ strategy: 'epsilon-greedy', budget: 0.15, epsilon: 0.15 });
  const log: Judged[] = [];
  for (let t = 0; t < history + n; t++) {
    const u = delayedDeploymentWorld.generate(rng);
    let served: string;
    let arm = 'history';
    if (t < history) {
      const g = rules(u.context);
      served = explorer.choose({ agent: 'deployment-specialist', spec, actions: ACTIONS, greedy: g, allowed: allowedActions(ACTIONS, g, u.context, spec) }).action;
    } else {
      arm = t % 2 === 0 ? 'ml' : 'deterministic';
      // The model arm ships canary unless standard is clearly best (expected reward 0.25 higher).
      served = arm === 'ml' ? (u.expected!('standard') > u.expected!('canary') + 0.25 ? 'standard' : 'canary') : rules(u.context);
    }
    const o = u.outcome(served);
    log.push({ arm, action: served, decidedAt: t, outcomeAt: t + u.delayFor!(served), reward: 'reward' in o ? o.reward : NaN });
  }
  return { history: log.slice(0, history), step: log.slice(history) };
}

/** Mean reward per arm over the outcomes that have arrived by `now`. */
function naive(step: readonly Judged[], now: number): { ml: number; deterministic: number } {
  const mean = (arm: string): number => {
    const r = step.filter((s) => s.arm === arm && s.outcomeAt! <= now).map((s) => s.reward);
    return r.reduce((a, b) => a + b, 0) / r.length;
  };
  return { ml: mean('ml'), deterministic: mean('deterministic') };
}

/** What the analysis sees at `now`: outcomes after `now` have not arrived yet. */
const visible = (records: readonly Judged[], now: number): StepRecord[] =>
  records.map((r) => ({ arm: r.arm, action: r.action, decidedAt: r.decidedAt, outcomeAt: r.outcomeAt! <= now ? r.outcomeAt : undefined }));

describe('label-delay-aware step analysis (seeded)', () => {
  const HISTORY = 4000;
  const N = 160;
  const { history, step } = scenario(1, HISTORY, N);
  const early = HISTORY + N;

  it('a step judged when its traffic ends would go the wrong way: the model arm looks worse, yet is better', () => {
    const early_ = naive(step, early);
    const complete = naive(step, Infinity);
    expect(early_.ml).toBeLessThan(early_.deterministic);
    expect(complete.ml).toBeGreaterThan(complete.deterministic);
  });

  it('estimates the delays per served action from the agent\'s own log, and waits', () => {
    const model = estimateDelays(visible(history, early), early);
    expect(model.actions).toEqual(['canary', 'stage-first', 'standard']);
    expect(model.cdf('standard', 5)).toBe(1);
    expect(model.cdf('canary', 20)).toBeLessThan(0.5);
    const check = checkOutcomeDelay(visible(step, early), model, early);
    expect(check.ready).toBe(false);
    expect(check.reason).toMatch(/^waiting: \d+% of expected outcomes \(arm ml; judging at 90%\)$/);
    expect(check.arms.find((a) => a.arm === 'deterministic')!.fraction).toBeGreaterThan(check.fraction);
  });

  it('judges once the expected outcomes are in, and then the verdict goes the right way', () => {
    let now = early;
    let check = checkOutcomeDelay(visible(step, now), estimateDelays(visible([...history, ...step], now), now), now);
    for (let guard = 0; !check.ready; guard++) {
      if (guard > 500) throw new Error(`still waiting after ${guard} decisions: ${check.reason}`);
      now++;
      check = checkOutcomeDelay(visible(step, now), estimateDelays(visible([...history, ...step], now), now), now);
    }
    expect(now).toBeGreaterThan(early);
    expect(check.reason).toMatch(/^outcomes in: \d+% of expected outcomes$/);
    const judged = naive(step, now);
    expect(judged.ml).toBeGreaterThan(judged.deterministic);
  });
});
