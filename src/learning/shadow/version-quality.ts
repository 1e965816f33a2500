import { EventType, type DecisionData, type OutcomeData, type StoredEvent } from '../../core/index.js';
import { accuracy, f1, mae, precision, recall, rmse } from '../evaluation/index.js';
import type { ShadowResultData } from './shadow-result.js';

export interface VersionQualityOptions {
  /** Judged answers kept per model version and per agent's rules (rolling window). Default 500. */
  readonly window?: number;
  /** Decisions waiting for their outcome (or a late shadow answer); oldest evicted. Default 100,000. */
  readonly maxPending?: number;
  /** Waiting decisions kept in a checkpoint (`snapshot()`), newest first. Default 10,000. */
  readonly checkpointPending?: number;
}

/** A checkpoint (`snapshot()`/`restore()`): the judged windows and the newest waiting decisions. Plain JSON. */
export interface VersionQualityState {
  readonly version: 1;
  readonly models: readonly { readonly agent: string; readonly version: number; readonly judged: readonly Judged[] }[];
  readonly rules: readonly (readonly [string, readonly Judged[]])[];
  readonly pending: readonly (readonly [string, { agent: string; rules: unknown; answers: readonly (readonly [number, unknown])[]; outcome: OutcomeData | null }])[];
}

/** Quality of a set of answers judged against outcomes (recent window). */
export type AnswerQuality =
  | {
      readonly kind: 'label';
      readonly count: number;
      readonly accuracy: number;
      /** Macro averages over the labels seen (scikit-learn `average='macro'`). */
      readonly precision: number;
      readonly recall: number;
      readonly f1: number;
    }
  | { readonly kind: 'value'; readonly count: number; readonly mae: number; readonly rmse: number };

export interface VersionQualityRow {
  readonly agent: string;
  readonly version: number;
  readonly quality: AnswerQuality;
}

interface Judged {
  readonly truth: string | number;
  readonly answer: string | number;
}

interface Pending {
  readonly agent: string;
  readonly rules: unknown;
  /** Model versions whose answer for this decision is known (served or shadow). */
  readonly answers: Map<number, unknown>;
  outcome: OutcomeData | undefined;
}

/**
 * Live quality of each model version and of each agent's rules, judged on real outcomes:
 * every answer a version gave before its outcome was known (served on the `ml` arm, or
 * predicted in shadow) is scored when the outcome arrives — progressive validation of a
 * fixed version, unlike the training loop's figures of the model still learning. The rules
 * are judged on the same decisions (their answer is logged with every decision).
 * Label outcomes give accuracy, macro precision/recall/F1; numeric outcomes MAE and RMSE;
 * reward outcomes are not scored here (no ground truth for the other action).
 * The first outcome of a decision counts; later corrections do not re-score it.
 *
 * @example
 * const q = new VersionQuality();
 * store.subscribe((events) => q.apply(events), { types: ['DecisionMade', 'ShadowPredicted', 'OutcomeRecorded'] });
 * q.models(); // [{ agent, version, quality: { kind: 'label', accuracy, ... } }]
 */
export class VersionQuality {
  readonly #window: number;
  readonly #maxPending: number;
  readonly #checkpointPending: number;
  readonly #pending = new Map<string, Pending>();
  #evictions = 0;
  readonly #models = new Map<string, { agent: string; version: number; judged: Judged[] }>();
  readonly #rules = new Map<string, Judged[]>();
  /** Agents seen with a model answer (ml-served or shadow): only their judged decisions wait for late answers. */
  readonly #modelAgents = new Set<string>();

  constructor(options: VersionQualityOptions = {}) {
    this.#window = options.window ?? 500;
    this.#maxPending = options.maxPending ?? 100_000;
    this.#checkpointPending = options.checkpointPending ?? 10_000;
  }

  /** Decisions waiting for their outcome or a late shadow answer: entries, bound (`maxPending`), evictions (oldest first). */
  bounds(): { size: number; capacity: number; evictions: number } {
    return { size: this.#pending.size, capacity: this.#maxPending, evictions: this.#evictions };
  }

  /** The checkpoint of this feed (see `VersionQualityState`). */
  snapshot(): VersionQualityState {
    const pending = [...this.#pending].slice(-this.#checkpointPending);
    return {
      version: 1,
      models: [...this.#models.values()].map((m) => ({ agent: m.agent, version: m.version, judged: [...m.judged] })),
      rules: [...this.#rules].map(([agent, judged]) => [agent, [...judged]] as const),
      pending: pending.map(([id, p]) => [id, { agent: p.agent, rules: p.rules, answers: [...p.answers], outcome: p.outcome ?? null }] as const),
    };
  }

  /** Resume from `snapshot()`, before the first `apply`. */
  restore(state: VersionQualityState): void {
    if (state.version !== 1) throw new Error(`unknown version-quality checkpoint version ${String(state.version)}`);
    for (const m of state.models) this.#models.set(`${m.agent}\u0000${m.version}`, { agent: m.agent, version: m.version, judged: m.judged.slice(-this.#window) });
    for (const [agent, judged] of state.rules) this.#rules.set(agent, judged.slice(-this.#window));
    for (const [id, p] of state.pending) this.#pending.set(id, { agent: p.agent, rules: p.rules, answers: new Map(p.answers), outcome: p.outcome ?? undefined });
    for (const m of state.models) this.#modelAgents.add(m.agent);
    for (const [, p] of state.pending) if (p.answers.length > 0) this.#modelAgents.add(p.agent);
  }

  apply(events: readonly StoredEvent[]): void {
    for (const e of events) {
      if (e.type === EventType.DecisionMade) this.addDecision(e.data as DecisionData);
      else if (e.type === EventType.ShadowPredicted) this.addShadow(e.data as ShadowResultData);
      else if (e.type === EventType.OutcomeRecorded) this.addOutcome(e.data as OutcomeData);
    }
  }

  addDecision(d: DecisionData): void {
    const p: Pending = { agent: d.agent, rules: d.deterministic ?? d.value, answers: new Map(), outcome: undefined };
    if (d.source === 'ml' && d.modelVersion !== undefined) {
      p.answers.set(d.modelVersion, d.value);
      this.#modelAgents.add(d.agent);
    }
    this.#pending.set(d.decisionId, p);
    if (this.#pending.size > this.#maxPending) {
      this.#pending.delete(this.#pending.keys().next().value as string);
      this.#evictions++;
    }
  }

  addShadow(r: ShadowResultData): void {
    this.#modelAgents.add(r.agent);
    if (r.error !== undefined || !('modelValue' in r)) return;
    const p = this.#pending.get(r.decisionId);
    if (!p || p.answers.has(r.modelVersion)) return;
    p.answers.set(r.modelVersion, r.modelValue);
    // A shadow answer computed before the outcome but stored after it (the usual race) still counts.
    if (p.outcome) this.#judgeModel(p.agent, r.modelVersion, r.modelValue, p.outcome);
  }

  addOutcome(o: OutcomeData): void {
    const p = this.#pending.get(o.decisionId);
    if (!p || p.outcome) return;
    p.outcome = o;
    this.#judge(this.#rulesOf(p.agent), p.rules, o);
    for (const [version, answer] of p.answers) this.#judgeModel(p.agent, version, answer, o);
    // Judged: it waits on only for a late shadow answer, which only an agent with a model
    // (served or in shadow) can give. A rules-only agent's decision is done with.
    if (!this.#modelAgents.has(p.agent)) this.#pending.delete(o.decisionId);
  }

  /** Every (agent, version) with at least one judged answer. */
  models(): VersionQualityRow[] {
    const out: VersionQualityRow[] = [];
    for (const m of this.#models.values()) {
      const quality = qualityOf(m.judged);
      if (quality) out.push({ agent: m.agent, version: m.version, quality });
    }
    return out;
  }

  model(agent: string, version: number): AnswerQuality | undefined {
    const m = this.#models.get(`${agent}\u0000${version}`);
    return m ? qualityOf(m.judged) : undefined;
  }

  /** Every agent whose rules have at least one judged answer. */
  rules(): { agent: string; quality: AnswerQuality }[] {
    const out: { agent: string; quality: AnswerQuality }[] = [];
    for (const [agent, judged] of this.#rules) {
      const quality = qualityOf(judged);
      if (quality) out.push({ agent, quality });
    }
    return out;
  }

  rulesOf(agent: string): AnswerQuality | undefined {
    const judged = this.#rules.get(agent);
    return judged ? qualityOf(judged) : undefined;
  }

  #rulesOf(agent: string): Judged[] {
    let r = this.#rules.get(agent);
    if (!r) this.#rules.set(agent, (r = []));
    return r;
  }

  #judgeModel(agent: string, version: number, answer: unknown, o: OutcomeData): void {
    const key = `${agent}\u0000${version}`;
    let m = this.#models.get(key);
    if (!m) this.#models.set(key, (m = { agent, version, judged: [] }));
    this.#judge(m.judged, answer, o);
  }

  #judge(into: Judged[], answer: unknown, o: OutcomeData): void {
    if (o.label !== undefined) into.push({ truth: o.label, answer: String(answer) });
    else if (typeof o.value === 'number' && typeof answer === 'number') into.push({ truth: o.value, answer });
    else return;
    if (into.length > this.#window) into.splice(0, into.length - this.#window);
  }
}

function qualityOf(judged: readonly Judged[]): AnswerQuality | undefined {
  const labels = judged.filter((j) => typeof j.truth === 'string');
  const values = judged.filter((j) => typeof j.truth === 'number');
  if (labels.length === 0 && values.length === 0) return undefined;
  if (labels.length >= values.length) {
    const t = labels.map((j) => j.truth as string);
    const a = labels.map((j) => j.answer as string);
    return {
      kind: 'label',
      count: labels.length,
      accuracy: accuracy(t, a),
      precision: precision(t, a, { average: 'macro' }),
      recall: recall(t, a, { average: 'macro' }),
      f1: f1(t, a, { average: 'macro' }),
    };
  }
  const t = values.map((j) => j.truth as number);
  const a = values.map((j) => j.answer as number);
  return { kind: 'value', count: values.length, mae: mae(t, a), rmse: rmse(t, a) };
}
