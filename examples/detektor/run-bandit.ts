import { ValidationError } from '../../src/core/errors.js';
import { type ExplorationSpec, allowedActions, resolveExploration } from '../../src/decisions/index.js';
import { BanditExplorer, LinUcb } from '../../src/learning/index.js';
import { FeatureEncoder } from '../../src/learning/learners/index.js';
import { Rng } from './internal/rng.js';
import type { World } from './internal/world.js';

export interface RunBanditOptions {
  /** Seed of the workload and of the exploration draws. Default 1. */
  readonly seed?: number;
  /** Decisions of the agent. Default 6,000. */
  readonly decisions?: number;
  /** The agent's exploration. Default LinUCB within a 5% budget, ε 0.05 decaying to 0.01. */
  readonly exploration?: ExplorationSpec;
  /** LinUCB confidence width α. Default 0.3. */
  readonly alpha?: number;
  /** Rolling window of the reported means, in decisions. Default 1,000. */
  readonly window?: number;
}

/** One logged decision of the bandit run: what off-policy evaluation reads. */
export interface BanditLogRecord {
  readonly context: Readonly<Record<string, unknown>>;
  readonly rules: string;
  readonly served: string;
  readonly propensity: number;
  readonly reward: number;
  /** Expected reward of every action here (the world's hidden truth), when the world knows it. */
  readonly expected?: Readonly<Record<string, number>>;
}

export interface BanditRunReport {
  readonly agent: string;
  readonly decisions: number;
  /** Mean reward over the last `window` decisions: what the bandit served, and what the rules would have got on the same units. */
  readonly window: { readonly count: number; readonly bandit: number; readonly rules: number; readonly improvement: number };
  readonly cumulative: { readonly bandit: number; readonly rules: number };
  readonly exploration: { readonly explored: number; readonly share: number; readonly budget: number };
  readonly log: readonly BanditLogRecord[];
}

const DEFAULT_EXPLORATION: ExplorationSpec = { strategy: 'lin-ucb', budget: 0.05, epsilon: 0.05, decay: 0.001, minEpsilon: 0.01 };

/**
 * A reward agent served by a contextual bandit (LinUCB reward models + `BanditExplorer`)
 * instead of its rules, in one world of the Detektor simulator: each decision serves the
 * explorer's action, logs its propensity, and learns the reward once it arrives (after the
 * unit's delay, counted in this agent's decisions). The rules are judged on the same units by
 * the world's counterfactual outcome of their action. Pure and seeded.
 * @example
 * const r = runBanditSimulation(pisarzAudienceWorld, { seed: 1 });
 * r.window.improvement; // % above the rules over the last 1,000 decisions
 */
export function runBanditSimulation(world: World, options: RunBanditOptions = {}): BanditRunReport {
  const seed = options.seed ?? 1;
  const decisions = options.decisions ?? 6000;
  const window = options.window ?? 1000;
  const def = world.agent.definition;
  const actions = def.labels ?? [];
  if (def.feedback !== 'reward' || actions.length < 2) throw new ValidationError(`${def.name} is not a reward agent`, [{ path: 'world.agent', message: 'needs reward feedback and labels' }]);
  const spec = resolveExploration(options.exploration ?? DEFAULT_EXPLORATION);
  const rng = Rng.derive(seed, 0xba4d);
  const draws = Rng.derive(seed, 0xe4f1);
  const encoder = new FeatureEncoder(def.features);
  const ucb = new LinUcb({ actions: actions.length, featureCount: encoder.dimension, alpha: options.alpha ?? 0.3 });
  const explorer = new BanditExplorer({ random: () => draws.next() });
  const due = new Map<number, { x: Float64Array; action: number; reward: number }[]>();
  const bandit: number[] = [];
  const rules: number[] = [];
  const log: BanditLogRecord[] = [];

  for (let i = 0; i < decisions; i++) {
    for (const d of due.get(i) ?? []) ucb.partialFit(d.x, d.action, d.reward);
    due.delete(i);
    const unit = world.generate(rng);
    encoder.observe(unit.context);
    const x = encoder.encode(unit.context);
    const ruled = String(world.agent.rules(unit.context));
    const { means, bonuses } = ucb.scores(x);
    const greedy = ucb.samplesSeen === 0 ? ruled : actions[means.indexOf(Math.max(...means))]!;
    const c = explorer.choose({ agent: def.name, spec, actions, greedy, allowed: allowedActions(actions, greedy, unit.context, spec), scores: means, bonuses });
    const reward = rewardOf(unit.outcome(c.action));
    bandit.push(reward);
    rules.push(rewardOf(unit.outcome(ruled)));
    const expected = unit.expected ? Object.fromEntries(actions.map((a) => [a, unit.expected!(a)])) : undefined;
    log.push({ context: unit.context, rules: ruled, served: c.action, propensity: c.propensity, reward, ...(expected ? { expected } : {}) });
    const at = i + 1 + (unit.delayFor?.(c.action) ?? unit.delay);
    let list = due.get(at);
    if (list === undefined) due.set(at, (list = []));
    list.push({ x: Float64Array.from(x), action: actions.indexOf(c.action), reward });
  }
  const [stats] = explorer.stats();
  const mean = (v: readonly number[]): number => (v.length === 0 ? NaN : v.reduce((s, r) => s + r, 0) / v.length);
  const wb = mean(bandit.slice(-window));
  const wr = mean(rules.slice(-window));
  return {
    agent: def.name,
    decisions,
    window: { count: Math.min(window, decisions), bandit: wb, rules: wr, improvement: ((wb - wr) / Math.abs(wr)) * 100 },
    cumulative: { bandit: mean(bandit), rules: mean(rules) },
    exploration: { explored: stats?.explored ?? 0, share: stats?.share ?? 0, budget: spec.budget },
    log,
  };
}

function rewardOf(o: ReturnType<World['generate']>['outcome'] extends (s: never) => infer R ? R : never): number {
  return 'reward' in o ? o.reward : 0;
}
