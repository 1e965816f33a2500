import { EventType, type OutcomeData, type StoredEvent } from '../../core/index.js';
import { rocAuc, rocAucOvr } from '../evaluation/index.js';
import type { ShadowResultData } from './shadow-result.js';

export interface VersionAucOptions {
  /** Scored answers kept per model version (rolling window). Default 500, like `VersionQuality`. */
  readonly window?: number;
  /** Decisions waiting for their outcome or their shadow scores; oldest evicted. Default 50,000. */
  readonly maxPending?: number;
}

/** One scored answer: the true label and the model's class probabilities. */
export type ScoredAnswer = readonly [truth: string, scores: Readonly<Record<string, number>>];

export interface VersionAucRow {
  readonly agent: string;
  readonly version: number;
  /** ROC AUC over the window (one-vs-rest macro average for more than two classes). */
  readonly auc: number;
  readonly count: number;
}

/** A checkpoint (`snapshot()`/`restore()`), plain JSON. */
export interface VersionAucState {
  readonly version: 1;
  readonly models: readonly { readonly agent: string; readonly version: number; readonly scored: readonly ScoredAnswer[] }[];
  readonly pending: readonly (readonly [string, PendingState])[];
}

interface PendingState {
  readonly agent?: string;
  readonly scores: readonly (readonly [number, Readonly<Record<string, number>>])[];
  readonly truth?: string;
}

interface Pending {
  agent: string | undefined;
  readonly scores: Map<number, Readonly<Record<string, number>>>;
  truth: string | undefined;
}

/**
 * ROC AUC of each classification model version on live outcomes: the class probabilities of
 * its shadow predictions (`ShadowPredicted.modelScores`, given by the built-in classifiers)
 * ranked against the labels that arrive later, over a rolling window, as scikit-learn's
 * `roc_auc_score` (binary: the greater label is the positive class; more classes: one-vs-rest,
 * macro). A version has no AUC while its window holds a single class, or (more than two
 * classes) while a class of the model is missing from the window's labels: sklearn refuses
 * those too. Served (ml arm) answers carry no probabilities, so the AUC is that of the
 * version's shadow predictions (a canary or production version keeps being shadowed when no
 * newer `shadow` alias exists).
 *
 * @example
 * const auc = new VersionAuc();
 * store.subscribe((events) => auc.apply(events), { types: ['ShadowPredicted', 'OutcomeRecorded'] });
 * auc.models(); // [{ agent, version, auc, count }]
 */
export class VersionAuc {
  readonly #window: number;
  readonly #maxPending: number;
  #evictions = 0;
  readonly #pending = new Map<string, Pending>();
  readonly #models = new Map<string, { agent: string; version: number; scored: ScoredAnswer[] }>();

  constructor(options: VersionAucOptions = {}) {
    this.#window = options.window ?? 500;
    this.#maxPending = options.maxPending ?? 50_000;
  }

  apply(events: readonly StoredEvent[]): void {
    for (const e of events) {
      if (e.type === EventType.ShadowPredicted) this.addShadow(e.data as ShadowResultData);
      else if (e.type === EventType.OutcomeRecorded) this.addOutcome(e.data as OutcomeData);
    }
  }

  addShadow(r: ShadowResultData): void {
    if (r.modelScores === undefined || r.error !== undefined) return;
    const p = this.#entry(r.decisionId);
    p.agent ??= r.agent;
    if (p.scores.has(r.modelVersion)) return;
    p.scores.set(r.modelVersion, r.modelScores);
    // The outcome may be stored before the shadow result (the usual race): score it now.
    if (p.truth !== undefined) this.#score(r.agent, r.modelVersion, p.truth, r.modelScores);
  }

  addOutcome(o: OutcomeData): void {
    if (o.label === undefined) return;
    const known = this.#pending.get(o.decisionId);
    if (known?.truth !== undefined) return; // the first outcome counts
    const p = known ?? this.#entry(o.decisionId);
    p.truth = o.label;
    p.agent ??= o.agent;
    if (p.agent !== undefined) for (const [version, scores] of p.scores) this.#score(p.agent, version, o.label, scores);
  }

  /** Every (agent, version) whose window gives an AUC. */
  models(): VersionAucRow[] {
    const out: VersionAucRow[] = [];
    for (const m of this.#models.values()) {
      const auc = windowAuc(m.scored);
      if (auc !== undefined) out.push({ agent: m.agent, version: m.version, auc, count: m.scored.length });
    }
    return out;
  }

  model(agent: string, version: number): number | undefined {
    const m = this.#models.get(`${agent}\u0000${version}`);
    return m ? windowAuc(m.scored) : undefined;
  }

  snapshot(): VersionAucState {
    return {
      version: 1,
      models: [...this.#models.values()].map((m) => ({ agent: m.agent, version: m.version, scored: [...m.scored] })),
      pending: [...this.#pending].map(([id, p]) => [
        id,
        { ...(p.agent !== undefined ? { agent: p.agent } : {}), scores: [...p.scores], ...(p.truth !== undefined ? { truth: p.truth } : {}) },
      ]),
    };
  }

  /** Decisions waiting for their truth or a model's score: entries, bound (`maxPending`), evictions (oldest first). */
  bounds(): { size: number; capacity: number; evictions: number } {
    return { size: this.#pending.size, capacity: this.#maxPending, evictions: this.#evictions };
  }

  /** Resume from `snapshot()`, before the first `apply`. */
  restore(state: VersionAucState): void {
    if (state.version !== 1) throw new Error(`unknown version-auc checkpoint version ${String(state.version)}`);
    for (const m of state.models) this.#models.set(`${m.agent}\u0000${m.version}`, { agent: m.agent, version: m.version, scored: m.scored.slice(-this.#window) });
    for (const [id, p] of state.pending.slice(-this.#maxPending)) this.#pending.set(id, { agent: p.agent, scores: new Map(p.scores), truth: p.truth });
  }

  #entry(decisionId: string): Pending {
    let p = this.#pending.get(decisionId);
    if (!p) {
      this.#pending.set(decisionId, (p = { agent: undefined, scores: new Map(), truth: undefined }));
      if (this.#pending.size > this.#maxPending) {
        this.#pending.delete(this.#pending.keys().next().value as string);
        this.#evictions++;
      }
    }
    return p;
  }

  #score(agent: string, version: number, truth: string, scores: Readonly<Record<string, number>>): void {
    const key = `${agent}\u0000${version}`;
    let m = this.#models.get(key);
    if (!m) this.#models.set(key, (m = { agent, version, scored: [] }));
    m.scored.push([truth, scores]);
    if (m.scored.length > this.#window) m.scored.splice(0, m.scored.length - this.#window);
  }
}

const byLabel = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * ROC AUC of a window of scored answers, or `undefined` where scikit-learn's `roc_auc_score`
 * refuses (one class only; a model class absent from the labels; a label the model does not know).
 */
export function windowAuc(scored: readonly ScoredAnswer[]): number | undefined {
  if (scored.length === 0) return undefined;
  const truths = [...new Set(scored.map(([t]) => t))].sort(byLabel);
  if (truths.length < 2) return undefined;
  const classes = [...new Set(scored.flatMap(([, s]) => Object.keys(s)))].sort(byLabel);
  if (!truths.every((t) => classes.includes(t))) return undefined;
  const yTrue = scored.map(([t]) => t);
  if (classes.length === 2) {
    const pos = truths[1]!; // sklearn: the greater label is positive
    return rocAuc(yTrue, scored.map(([, s]) => s[pos] ?? 0), { posLabel: pos });
  }
  if (truths.length !== classes.length) return undefined;
  return rocAucOvr(yTrue, scored.map(([, s]) => classes.map((c) => s[c] ?? 0)), { labels: classes });
}
