import { ValidationError } from '../../src/core/errors.js';
import type { ClassificationScores, ProgressiveSnapshot, RegressionScores } from '../../src/learning/evaluation/index.js';
import { DETEKTOR_AGENT_NAMES, type DetektorAgentName } from './agent-definition.js';
import { AgentLab, type Answers } from './internal/agent-lab.js';
import { Rng } from './internal/rng.js';
import { detektorAgent } from './detektor-pack.js';
import type { RewardScores } from './internal/reward-evaluator.js';
import { defaultLearnerFactory, type LearnerFactory } from './learner-factory.js';
import { DEFAULT_AGENT_MIX, createDetektorSimulator, type DetektorSimulatorOptions } from './simulator.js';

export type { RewardScores };

export interface RunSimulationOptions {
  /** Seed of the workload (and of exploration). Default 1. */
  readonly seed?: number;
  /** Decisions across all agents. Default 20,000. */
  readonly decisions?: number;
  /** Agents to simulate, drawn by `DEFAULT_AGENT_MIX`. Default all eight. */
  readonly agents?: readonly DetektorAgentName[];
  /** Learner for each agent (reward agents: per action). Default `defaultLearnerFactory`. */
  readonly learner?: LearnerFactory;
  /** Rolling window of the progressive scores, in outcomes. Default 1000. */
  readonly window?: number;
  /** Outcomes an agent's model learns before its answers are used instead of the rules'. Default 20. */
  readonly warmup?: number;
  /** Reward agents: share of decisions that serve a uniformly random action (ε-greedy). Default 0.1. */
  readonly exploration?: number;
  /** Further simulator options (`seed` and `mix` come from the options above). */
  readonly simulator?: Omit<DetektorSimulatorOptions, 'seed' | 'mix'>;
}

/**
 * The fixed scenario behind the `learning-effect` bench figures and their unit test: all
 * eight agents, seed 1, 30,000 decisions (about 7,000 each for detektor-coder and code-reviewer).
 */
export const LEARNING_EFFECT_SCENARIO = { seed: 1, decisions: 30_000 } as const satisfies RunSimulationOptions;

export type HeadlineMetric = 'mae' | 'macroF1' | 'meanReward';
export type AgentScores = ClassificationScores | RegressionScores | RewardScores;

export interface AgentSimulationReport {
  readonly agent: DetektorAgentName;
  /** `mae` (regression, lower is better), `macroF1` (classification), `meanReward` (reward agents). */
  readonly metric: HeadlineMetric;
  readonly decisions: number;
  /** Outcomes that arrived and were judged (model and rules on the same outcomes). */
  readonly outcomes: number;
  readonly missingOutcomes: number;
  /** Outcomes still due when the run ended. */
  readonly pendingOutcomes: number;
  /** Progressive-validation scores: predicted before the outcome was known, then learned. */
  readonly model: ProgressiveSnapshot<AgentScores>;
  readonly rules: ProgressiveSnapshot<AgentScores>;
  /** Relative improvement of the model over the rules on `metric`, in % (positive: model better). */
  readonly improvement: { readonly cumulative: number | null; readonly window: number | null };
}

export interface SimulationReport {
  readonly seed: number;
  readonly decisions: number;
  readonly agents: Readonly<Partial<Record<DetektorAgentName, AgentSimulationReport>>>;
}

interface Pending {
  readonly lab: AgentLab;
  readonly unitId: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly answers: Answers;
  readonly served: string | number;
}

/**
 * Train learners online on simulated Detektor outcomes and measure, by progressive
 * validation, how the model compares with the rules. Pure and in-process: no apprentice
 * runtime, no timers; equal options give equal reports. Outcomes arrive after their
 * simulated delay (counted in later decisions); missing ones are never learned. Reward
 * agents serve the rules' action (ε-greedy exploration aside) and are judged by the
 * simulator's counterfactual reward of the model's and the rules' actions.
 * @example
 * const report = runSimulation({ seed: 1, decisions: 12_000, agents: ['detektor-coder'] });
 * report.agents['detektor-coder']?.improvement.window; // e.g. 35 (% lower MAE than the rules)
 */
export function runSimulation(options: RunSimulationOptions = {}): SimulationReport {
  const seed = options.seed ?? 1;
  const decisions = options.decisions ?? 20_000;
  const agents = options.agents ?? DETEKTOR_AGENT_NAMES;
  const exploration = options.exploration ?? 0.1;
  if (!Number.isInteger(decisions) || decisions < 0) throw new ValidationError('decisions must be a non-negative integer', [{ path: 'decisions', message: `got ${decisions}` }]);
  if (agents.length === 0) throw new ValidationError('at least one agent is needed', [{ path: 'agents', message: 'empty' }]);
  if (!(exploration >= 0 && exploration <= 1)) throw new ValidationError('exploration must be in [0, 1]', [{ path: 'exploration', message: `got ${exploration}` }]);
  const sim = createDetektorSimulator({ ...options.simulator, seed, mix: Object.fromEntries(agents.map((a) => [a, DEFAULT_AGENT_MIX[a]])) });
  const explorer = Rng.derive(seed, 0x5eed);
  const labs = new Map<DetektorAgentName, AgentLab>();
  const counts = new Map<DetektorAgentName, { decisions: number; outcomes: number; missing: number; pending: number }>();
  const due = new Map<number, Pending[]>();

  for (let i = 0; i <= decisions; i++) {
    for (const p of due.get(i) ?? []) settle(p);
    due.delete(i);
    if (i === decisions) break;
    const d = sim.next();
    let lab = labs.get(d.agent);
    if (lab === undefined) {
      lab = new AgentLab(detektorAgent(d.agent), options.learner ?? defaultLearnerFactory, options.window ?? 1000, options.warmup ?? 20);
      labs.set(d.agent, lab);
      counts.set(d.agent, { decisions: 0, outcomes: 0, missing: 0, pending: 0 });
    }
    const c = counts.get(d.agent)!;
    c.decisions++;
    const answers = lab.answer(d.context, d.deterministic);
    const actions = lab.agent.definition.labels ?? [];
    const served = lab.evaluators.metric === 'meanReward' && explorer.chance(exploration) ? explorer.pick(actions) : d.deterministic;
    const outcome = sim.outcomeFor(d.unitId, served);
    if (outcome === null) {
      c.missing++;
      sim.release(d.unitId);
      continue;
    }
    const at = i + 1 + outcome.delay;
    if (at > decisions) c.pending++;
    let list = due.get(at);
    if (list === undefined) due.set(at, (list = []));
    list.push({ lab, unitId: d.unitId, context: d.context, answers, served });
  }

  function settle(p: Pending): void {
    const { lab, answers } = p;
    const ev = lab.evaluators;
    counts.get(lab.agent.definition.name)!.outcomes++;
    if (ev.metric === 'meanReward') {
      const reward = (a: string | number): number => {
        const o = sim.outcomeFor(p.unitId, a);
        return o !== null && 'reward' in o ? o.reward : 0;
      };
      ev.model.update(reward(answers.model));
      ev.rules.update(reward(answers.rules));
      lab.learnReward(p.context, String(p.served), reward(p.served));
    } else {
      const o = sim.outcomeFor(p.unitId, p.served)!;
      if (ev.metric === 'mae' && 'value' in o) {
        ev.model.update(Number(answers.model), o.value);
        ev.rules.update(Number(answers.rules), o.value);
        lab.learn(p.context, o.value);
      } else if (ev.metric === 'macroF1' && 'label' in o) {
        ev.model.update(String(answers.model), o.label, lab.probaOf(answers.proba, o.label));
        ev.rules.update(String(answers.rules), o.label);
        lab.learn(p.context, o.label);
      }
    }
    sim.release(p.unitId);
  }

  const report: Partial<Record<DetektorAgentName, AgentSimulationReport>> = {};
  for (const [name, lab] of labs) {
    const c = counts.get(name)!;
    const model = lab.evaluators.model.snapshot();
    const rules = lab.evaluators.rules.snapshot();
    const metric = lab.evaluators.metric;
    report[name] = {
      agent: name,
      metric,
      decisions: c.decisions,
      outcomes: c.outcomes,
      missingOutcomes: c.missing,
      pendingOutcomes: c.pending,
      model,
      rules,
      improvement: {
        cumulative: improvement(metric, headline(metric, model.cumulative), headline(metric, rules.cumulative)),
        window: improvement(metric, headline(metric, model.window), headline(metric, rules.window)),
      },
    };
  }
  return { seed, decisions, agents: report };
}

function headline(metric: HeadlineMetric, s: AgentScores): number | null {
  if (metric === 'mae') return (s as RegressionScores).mae;
  if (metric === 'macroF1') return (s as ClassificationScores).macroF1;
  return (s as RewardScores).meanReward;
}

/** Relative gain in %: lower MAE, or higher F1 / reward, than the rules. */
function improvement(metric: HeadlineMetric, model: number | null, rules: number | null): number | null {
  if (model === null || rules === null || rules === 0) return null;
  return (metric === 'mae' ? (rules - model) / rules : (model - rules) / Math.abs(rules)) * 100;
}
