import { EventType, type DecisionData, type NewEvent, type OutcomeData } from '../../core/index.js';
import type { ServedOutcome } from './accuracy-breaker.js';

interface ServedPending {
  agent: string;
  value: unknown;
  deterministic: unknown;
  modelVersion: number | undefined;
}

/** See `ServedQualityFeed.snapshot()`. */
export interface ServedQualityState {
  readonly version: 1;
  readonly pending: readonly (readonly [string, { readonly agent: string; readonly value: unknown; readonly deterministic: unknown; readonly modelVersion?: number | null | undefined }])[];
}

/**
 * Pairs each outcome with the decision it answers, for decisions the model served (`source:
 * 'ml'`), and scores the served answer and the rules' answer (logged with every decision) on
 * that same outcome: label 1/0, value −|error|. Reward outcomes are skipped (the rules' reward
 * on a unit they did not serve is unknown). Bounded: at most `maxPending` decisions wait for
 * their outcome (oldest dropped first).
 *
 * @example
 * const feed = new ServedQualityFeed((agent, o) => guardOf(agent).reportServed(o));
 * store.subscribe((events) => events.forEach((e) => feed.observe(e)), { types: ['DecisionMade', 'OutcomeRecorded'] });
 */
export class ServedQualityFeed {
  readonly #pending = new Map<string, ServedPending>();
  #evictions = 0;
  constructor(
    private readonly onServed: (agent: string, outcome: ServedOutcome & { modelVersion: number | undefined }) => void,
    private readonly maxPending = 100_000,
    /** Waiting decisions kept in a checkpoint (`snapshot()`), newest first. */
    private readonly checkpointPending = 10_000,
  ) {}

  /**
   * A checkpoint: the newest decisions served by a model that wait for their outcome (plain
   * JSON). Restored before the first `observe`, a restart resumes at the checkpoint's cursor
   * and still scores the outcomes of decisions made before it.
   */
  snapshot(): ServedQualityState {
    return { version: 1, pending: [...this.#pending].slice(-this.checkpointPending) };
  }

  /** Model-served decisions waiting for their outcome: entries, bound (`maxPending`), evictions (oldest first). */
  bounds(): { size: number; capacity: number; evictions: number } {
    return { size: this.#pending.size, capacity: this.maxPending, evictions: this.#evictions };
  }

  restore(state: ServedQualityState): void {
    if (state.version !== 1) throw new Error(`unknown served-quality checkpoint version ${String(state.version)}`);
    for (const [id, p] of state.pending) this.#pending.set(id, { ...p, modelVersion: p.modelVersion ?? undefined });
  }

  observe(event: Pick<NewEvent, 'type' | 'data'>): void {
    if (event.type === EventType.DecisionMade) {
      const d = event.data as DecisionData;
      if (d.source !== 'ml' || d.deterministic === undefined) return;
      this.#pending.set(d.decisionId, { agent: d.agent, value: d.value, deterministic: d.deterministic, modelVersion: d.modelVersion });
      if (this.#pending.size > this.maxPending) {
        this.#pending.delete(this.#pending.keys().next().value!);
        this.#evictions++;
      }
      return;
    }
    if (event.type !== EventType.OutcomeRecorded) return;
    const o = event.data as OutcomeData;
    const d = this.#pending.get(o.decisionId);
    if (!d) return;
    this.#pending.delete(o.decisionId);
    const score = (answer: unknown): number | undefined => {
      if (o.label !== undefined) return String(answer) === o.label ? 1 : 0;
      if (o.value !== undefined && typeof answer === 'number') return -Math.abs(answer - o.value);
      return undefined;
    };
    const model = score(d.value);
    const rules = score(d.deterministic);
    if (model === undefined || rules === undefined) return;
    this.onServed(d.agent, { model, rules, modelVersion: d.modelVersion });
  }
}
