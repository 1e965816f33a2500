import type { DecisionExplorer, ExplorationChoice, ExplorationRequest, ResolvedExploration } from '../../decisions/index.js';
import { boltzmann, mixWithGreedy, sampleIndex } from './action-distribution.js';
import { decayedEpsilon } from './epsilon-schedule.js';
import { ExplorationBudget } from './exploration-budget.js';

/** One agent's exploration so far: what the `apprentice_exploration_*` metrics read. */
export interface ExplorationStats {
  readonly agent: string;
  readonly strategy: ResolvedExploration['strategy'];
  readonly decisions: number;
  readonly explored: number;
  /** explored / decisions: never above `budget`. */
  readonly share: number;
  readonly budget: number;
  /** ε of the next decision. */
  readonly epsilon: number;
}

export interface BanditExplorerOptions {
  /** Uniform draws in [0, 1). Default `Math.random`; inject a seeded generator in tests and simulations. */
  readonly random?: () => number;
  /** Told about every choice (metrics). */
  readonly onChoice?: (agent: string, choice: ExplorationChoice) => void;
}

interface AgentState {
  readonly budget: ExplorationBudget;
  spec: ResolvedExploration;
}

/**
 * The exploring policy of reward agents, per agent (docs/bandits.md). For each decision it
 * serves the greedy action — the rules' answer on the rules arm, the model's on the model arm —
 * except that with probability ε (strategy-dependent) it serves another *allowed* action, and
 * it returns the exact probability of the served action under that mixture:
 *
 * - `epsilon-greedy`: π = (1 − εₜ)·δ_greedy + εₜ·Uniform(allowed ∖ greedy), εₜ decaying;
 * - `softmax`: Boltzmann over the allowed actions' predicted rewards, its off-greedy mass
 *   capped at εₜ: π = (1 − λ)·δ_greedy + λ·Boltzmann, λ = min(1, εₜ / (1 − Boltzmann(greedy)));
 * - `lin-ucb`: the allowed action of highest upper confidence bound (mean + bonus) instead of
 *   the greedy one when that fits the budget, plus εₜ uniform over the rest.
 *
 * The budget is held exactly: whether a decision may explore at all is decided from past
 * decisions before the draw (`ExplorationBudget`), so the share of exploring decisions never
 * exceeds it and the logged propensity is the true conditional probability.
 *
 * @example
 * const explorer = new BanditExplorer();
 * const spec = resolveExploration({ strategy: 'epsilon-greedy' });
 * explorer.choose({ agent: 'pisarz', spec, actions: ['a', 'b'], greedy: 'a', allowed: ['a', 'b'] }); // { action: 'a', propensity: 0.95, explored: false } (mostly)
 */
export class BanditExplorer implements DecisionExplorer {
  readonly #o: BanditExplorerOptions;
  readonly #random: () => number;
  readonly #agents = new Map<string, AgentState>();

  constructor(options: BanditExplorerOptions = {}) {
    this.#o = options;
    this.#random = options.random ?? Math.random;
  }

  #state(agent: string, spec: ResolvedExploration): AgentState {
    let s = this.#agents.get(agent);
    if (s === undefined || s.budget.share !== spec.budget) {
      // A new budget starts a new count: the share is judged against the budget in force.
      s = { budget: new ExplorationBudget(spec.budget), spec };
      this.#agents.set(agent, s);
    }
    s.spec = spec;
    return s;
  }

  /** The served action and its propensity; never throws for a well-formed request. */
  choose(request: ExplorationRequest): ExplorationChoice {
    const spec = request.spec;
    const state = this.#state(request.agent, spec);
    const choice = this.#draw(request, spec, state.budget);
    state.budget.record(choice.explored);
    this.#o.onChoice?.(request.agent, choice);
    return choice;
  }

  #draw(r: ExplorationRequest, spec: ResolvedExploration, budget: ExplorationBudget): ExplorationChoice {
    const k = r.actions.length;
    const g = r.actions.indexOf(r.greedy);
    const allowed = r.allowed.map((a) => r.actions.indexOf(a)).filter((i) => i >= 0 && i !== g);
    if (g < 0 || allowed.length === 0 || !budget.mayExplore()) return { action: r.greedy, propensity: 1, explored: false };
    const epsilon = decayedEpsilon(budget.decisions, spec);
    let p: Float64Array;
    switch (spec.strategy) {
      case 'epsilon-greedy':
        p = mixWithGreedy(g, boltzmann(k, allowed, undefined, 1), epsilon);
        break;
      case 'softmax': {
        const q = boltzmann(k, [g, ...allowed], r.scores, spec.temperature);
        const off = 1 - (q[g] as number);
        p = mixWithGreedy(g, q, off <= 0 ? 0 : Math.min(1, epsilon / off));
        break;
      }
      case 'lin-ucb': {
        const ucb = (i: number): number => (r.scores?.[i] ?? 0) + (r.bonuses?.[i] ?? 0);
        const best = r.scores === undefined ? g : [g, ...allowed].reduce((a, b) => (ucb(b) > ucb(a) ? b : a));
        const rest = [g, ...allowed].filter((i) => i !== best);
        p = mixWithGreedy(best, boltzmann(k, rest, undefined, 1), epsilon);
        break;
      }
    }
    const i = sampleIndex(p, this.#random());
    return { action: r.actions[i] as string, propensity: p[i] as number, explored: i !== g };
  }

  /** Exploration so far, per agent that has explored under a spec. */
  stats(): ExplorationStats[] {
    return [...this.#agents].map(([agent, s]) => ({
      agent,
      strategy: s.spec.strategy,
      decisions: s.budget.decisions,
      explored: s.budget.explored,
      share: s.budget.used,
      budget: s.budget.share,
      epsilon: decayedEpsilon(s.budget.decisions, s.spec),
    }));
  }
}
