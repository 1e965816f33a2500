import { EventType, type OutcomeData, type StoredEvent } from '../../core/index.js';
import { accuracy, f1, mae, rmse } from '../evaluation/index.js';
import type { ShadowResultData } from './shadow-result.js';

export interface ShadowStatsOptions {
  /** Joined (shadow result, outcome) pairs kept per agent for quality figures. Default 10,000. */
  readonly window?: number;
  /** Shadow results / outcomes waiting for their partner, per kind. Default 100,000 (oldest evicted). */
  readonly maxPending?: number;
  /** Waiting results and outcomes kept in a checkpoint (`snapshot()`), newest first, per kind. Default 10,000. */
  readonly checkpointPending?: number;
}

/** A checkpoint (`snapshot()`/`restore()`): per-agent totals and joined pairs, and the newest waiting results and outcomes. Plain JSON. */
export interface ShadowStatsState {
  readonly version: 1;
  readonly agents: readonly {
    readonly agent: string;
    readonly totals: readonly [total: number, failed: number, agreements: number, latencySum: number, joined: number];
    readonly versions: readonly number[];
    readonly pairs: readonly Pair[];
  }[];
  readonly results: readonly (readonly [string, ShadowResultData])[];
  readonly outcomes: readonly (readonly [string, OutcomeData])[];
}

/** Model vs rules on the decisions whose outcome is known. */
export type ShadowQuality =
  | { readonly kind: 'label'; readonly count: number; readonly model: { accuracy: number; macroF1: number }; readonly rules: { accuracy: number; macroF1: number } }
  | { readonly kind: 'value'; readonly count: number; readonly model: { mae: number; rmse: number }; readonly rules: { mae: number; rmse: number }; readonly maeImprovement: number }
  | {
      readonly kind: 'reward';
      readonly count: number;
      /** Mean reward of the served (rules') answers. */
      readonly rulesMeanReward: number;
      /** Replay estimate: mean reward where the model agreed with the served answer (Li et al. 2011). */
      readonly modelMeanRewardWhenAgree: number | null;
      readonly agreeCount: number;
    };

export interface AgentShadowStats {
  readonly agent: string;
  readonly total: number;
  readonly failed: number;
  readonly agreements: number;
  readonly agreementRate: number | null;
  readonly meanLatencyMs: number | null;
  readonly modelVersions: readonly number[];
  readonly withOutcome: number;
  readonly quality: ShadowQuality | null;
}

interface Pair {
  readonly model: unknown;
  readonly rules: unknown;
  readonly agree: boolean;
  readonly outcome: OutcomeData;
}

interface AgentState {
  total: number;
  failed: number;
  agreements: number;
  latencySum: number;
  versions: Set<number>;
  pairs: Pair[];
  joined: number;
}

/**
 * Shadow statistics per agent, fed with `ShadowPredicted` and `OutcomeRecorded` events in
 * any order (outcomes are often late): totals, agreement, and — on decisions that have an
 * outcome — model vs rules quality with src/evaluation metrics (accuracy and macro F1 for
 * labels, MAE and RMSE for values, replay reward for rewards).
 * @example
 * const stats = new ShadowStats();
 * store.subscribe((events) => stats.apply(events), { types: ['ShadowPredicted', 'OutcomeRecorded'] });
 * stats.get('task-estimator')?.quality;
 */
export class ShadowStats {
  readonly #window: number;
  readonly #maxPending: number;
  readonly #checkpointPending: number;
  readonly #agents = new Map<string, AgentState>();
  readonly #results = new Map<string, ShadowResultData>();
  readonly #outcomes = new Map<string, OutcomeData>();
  readonly #evicted = new Map<object, number>();

  constructor(options: ShadowStatsOptions = {}) {
    this.#window = options.window ?? 10_000;
    this.#maxPending = options.maxPending ?? 100_000;
    this.#checkpointPending = options.checkpointPending ?? 10_000;
  }

  /** Shadow results waiting for their outcome and outcomes waiting for their result: entries, bound (`maxPending`), evictions. */
  bounds(): Record<'results' | 'outcomes', { size: number; capacity: number; evictions: number }> {
    return {
      results: { size: this.#results.size, capacity: this.#maxPending, evictions: this.#evicted.get(this.#results) ?? 0 },
      outcomes: { size: this.#outcomes.size, capacity: this.#maxPending, evictions: this.#evicted.get(this.#outcomes) ?? 0 },
    };
  }

  /** The checkpoint of these statistics (see `ShadowStatsState`). */
  snapshot(): ShadowStatsState {
    return {
      version: 1,
      agents: [...this.#agents].map(([agent, s]) => ({
        agent,
        totals: [s.total, s.failed, s.agreements, s.latencySum, s.joined] as const,
        versions: [...s.versions],
        pairs: [...s.pairs],
      })),
      results: [...this.#results].slice(-this.#checkpointPending),
      outcomes: [...this.#outcomes].slice(-this.#checkpointPending),
    };
  }

  /** Resume from `snapshot()`, before the first `apply`. */
  restore(state: ShadowStatsState): void {
    if (state.version !== 1) throw new Error(`unknown shadow-stats checkpoint version ${String(state.version)}`);
    for (const a of state.agents) {
      const [total, failed, agreements, latencySum, joined] = a.totals;
      this.#agents.set(a.agent, { total, failed, agreements, latencySum, joined, versions: new Set(a.versions), pairs: a.pairs.slice(-this.#window) });
    }
    for (const [id, r] of state.results) this.#results.set(id, r);
    for (const [id, o] of state.outcomes) this.#outcomes.set(id, o);
  }

  apply(events: readonly StoredEvent[]): void {
    for (const e of events) {
      if (e.type === EventType.ShadowPredicted) this.addResult(e.data as ShadowResultData);
      else if (e.type === EventType.OutcomeRecorded) this.addOutcome(e.data as OutcomeData);
    }
  }

  addResult(r: ShadowResultData): void {
    const s = this.#state(r.agent);
    s.total++;
    s.versions.add(r.modelVersion);
    if (r.error !== undefined) s.failed++;
    else {
      if (r.agree) s.agreements++;
      s.latencySum += r.latencyMs;
    }
    if (r.error !== undefined) return;
    const o = this.#outcomes.get(r.decisionId);
    if (o) {
      this.#outcomes.delete(r.decisionId);
      this.#join(s, r, o);
    } else this.#remember(this.#results, r.decisionId, r);
  }

  addOutcome(o: OutcomeData): void {
    const r = this.#results.get(o.decisionId);
    if (r) {
      this.#results.delete(o.decisionId);
      this.#join(this.#state(r.agent), r, o);
      return;
    }
    // An outcome waits for its shadow result only if its agent runs a model in shadow (has
    // produced a result). Outcomes of rules-only agents would otherwise fill the map to its
    // bound with entries no result will ever join (100,000 in the soak, issue 15).
    if (o.agent !== undefined && !this.#agents.has(o.agent)) return;
    this.#remember(this.#outcomes, o.decisionId, o);
  }

  agents(): string[] {
    return [...this.#agents.keys()].sort();
  }

  get(agent: string): AgentShadowStats | undefined {
    const s = this.#agents.get(agent);
    if (!s) return undefined;
    const ok = s.total - s.failed;
    return {
      agent,
      total: s.total,
      failed: s.failed,
      agreements: s.agreements,
      agreementRate: ok > 0 ? s.agreements / ok : null,
      meanLatencyMs: ok > 0 ? s.latencySum / ok : null,
      modelVersions: [...s.versions].sort((a, b) => a - b),
      withOutcome: s.joined,
      quality: quality(s.pairs),
    };
  }

  all(): AgentShadowStats[] {
    return this.agents().map((a) => this.get(a)!);
  }

  #join(s: AgentState, r: ShadowResultData, o: OutcomeData): void {
    s.joined++;
    s.pairs.push({ model: r.modelValue, rules: r.rulesValue, agree: r.agree, outcome: o });
    if (s.pairs.length > this.#window) s.pairs.splice(0, s.pairs.length - this.#window);
  }

  #remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.set(key, value);
    if (map.size > this.#maxPending) {
      map.delete(map.keys().next().value as string);
      this.#evicted.set(map, (this.#evicted.get(map) ?? 0) + 1);
    }
  }

  #state(agent: string): AgentState {
    let s = this.#agents.get(agent);
    if (!s) this.#agents.set(agent, (s = { total: 0, failed: 0, agreements: 0, latencySum: 0, versions: new Set(), pairs: [], joined: 0 }));
    return s;
  }
}

function quality(pairs: readonly Pair[]): ShadowQuality | null {
  const labels = pairs.filter((p) => p.outcome.label !== undefined);
  const values = pairs.filter((p) => typeof p.outcome.value === 'number' && typeof p.model === 'number' && typeof p.rules === 'number');
  const rewards = pairs.filter((p) => typeof p.outcome.reward === 'number');
  const biggest = Math.max(labels.length, values.length, rewards.length);
  if (biggest === 0) return null;
  if (labels.length === biggest) {
    const truth = labels.map((p) => String(p.outcome.label));
    const model = labels.map((p) => String(p.model));
    const rules = labels.map((p) => String(p.rules));
    return {
      kind: 'label',
      count: labels.length,
      model: { accuracy: accuracy(truth, model), macroF1: f1(truth, model, { average: 'macro' }) },
      rules: { accuracy: accuracy(truth, rules), macroF1: f1(truth, rules, { average: 'macro' }) },
    };
  }
  if (values.length === biggest) {
    const truth = values.map((p) => p.outcome.value!);
    const m = values.map((p) => p.model as number);
    const r = values.map((p) => p.rules as number);
    const modelMae = mae(truth, m);
    const rulesMae = mae(truth, r);
    return {
      kind: 'value',
      count: values.length,
      model: { mae: modelMae, rmse: rmse(truth, m) },
      rules: { mae: rulesMae, rmse: rmse(truth, r) },
      maeImprovement: rulesMae > 0 ? (rulesMae - modelMae) / rulesMae : 0,
    };
  }
  const agree = rewards.filter((p) => p.agree);
  const mean = (xs: readonly Pair[]): number => xs.reduce((s, p) => s + p.outcome.reward!, 0) / xs.length;
  return {
    kind: 'reward',
    count: rewards.length,
    rulesMeanReward: mean(rewards),
    modelMeanRewardWhenAgree: agree.length > 0 ? mean(agree) : null,
    agreeCount: agree.length,
  };
}
