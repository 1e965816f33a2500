import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { EventType, type DecisionData, type OutcomeData, type StoredEvent } from '../../core/index.js';
import { START, compareCursors, cursorOf, formatCursor, type Cursor, type EventStore } from '../../log/index.js';
import { unservedViews, viewFieldsOf, type AgentDefinition, type HistoricalFeatures, type PastDecision } from '../../decisions/index.js';
import { specHash } from '../learners/index.js';
import type { ModelRegistry, ModelVersion } from '../registry/model-registry.js';
import { AgentTrainer, type AgentTrainerState, type TrainingRow } from './agent-trainer.js';

export interface TrainingLoopOptions {
  /** Current agent definitions. Required. */
  readonly agents: (agent: string) => AgentDefinition | undefined;
  /** Where new versions go. Required. */
  readonly registry: ModelRegistry;
  /** Check for a new version after this many new training rows per agent. Default 200. */
  readonly registerEvery?: number;
  /** Rows an agent needs before its first version. Default 50. */
  readonly minSamples?: number;
  /** `when-better`: register only when the progressive score beats the last version's; `always`: on every check. Default `when-better`. */
  readonly policy?: 'when-better' | 'always';
  /** Alias moved to every new version; `null` for none. Default `shadow`. */
  readonly alias?: string | null;
  /** Rolling window of the progressive evaluators. Default 500. */
  readonly window?: number;
  /** Decisions (or early outcomes) waiting for their partner, per kind; oldest evicted. Default 100,000. */
  readonly maxPending?: number;
  /** Throttle hook: while it returns true the loop waits `pauseMs` before its next batch (e.g. event-loop pressure). */
  readonly shouldPause?: () => boolean;
  /** Default 100. */
  readonly pauseMs?: number;
  /** Told about each registered version. */
  readonly onRegistered?: (v: ModelVersion) => void;
  /** Model vs rules quality after each batch (feed `ModelGuard.reportQuality`). */
  readonly onQuality?: (agent: string, q: { model: number; rules: number }) => void;
  /** Told about failures (registering, a bad row); the loop carries on. */
  readonly onError?: (error: unknown) => void;
  /** Waiting decisions (and early outcomes) kept in a checkpoint (`snapshot()`), newest first. Default 10,000. */
  readonly checkpointPending?: number;
  /**
   * View-backed fields a decision did not log (its view was not yet in the agent's spec when it
   * was made), computed as of the decision's time from the log (`FeatureHistory`). Without it
   * those fields stay missing in the rows.
   */
  readonly history?: HistoricalFeatures;
  /**
   * The log, read again when an agent's spec gains a feature view: the agent's fresh model is
   * trained on its whole history up to the loop's cursor, each old decision with the view's
   * values as of its time (`history`), then training goes on with the values served. Without it
   * (or without `history`) the fresh model learns from new rows only.
   */
  readonly log?: Pick<EventStore, 'readPage'>;
  /** Told about each row learned, with its decision id (audits, tests). */
  readonly onRow?: (agent: string, decisionId: string, row: TrainingRow) => void;
}

/**
 * A checkpoint of the loop (`snapshot()` / `restore()`): each agent's whole training state and
 * the newest waiting decisions, so a restart resumes at the checkpoint's cursor instead of
 * training again from the start of the log. Plain JSON.
 */
export interface TrainingLoopState {
  readonly version: 1;
  readonly stats: TrainingLoopStats;
  readonly agents: readonly {
    readonly agent: string;
    readonly specHash: string;
    readonly kind: string;
    readonly feedback: string;
    readonly trainer: AgentTrainerState;
    readonly rowsSinceCheck: number;
    readonly fromCursor: string | null;
    readonly toCursor: string | null;
    readonly lastScore: number | null;
    readonly lastVersion: number | null;
    /** The spec gained a feature view and the history has not been replayed yet. */
    readonly replay?: boolean;
  }[];
  readonly decisions: readonly (readonly [string, PendingDecision])[];
  readonly early: readonly (readonly [string, OutcomeData])[];
}

export interface PendingDecision {
  readonly agent: string;
  readonly features: Readonly<Record<string, unknown>>;
  readonly deterministic: unknown;
  readonly served: unknown;
  readonly cursor: string;
}

interface AgentState {
  trainer: AgentTrainer;
  specHash: string;
  rowsSinceCheck: number;
  fromCursor: string | undefined;
  toCursor: string | undefined;
  lastScore: number | null;
  lastVersion: number | undefined;
  /** Replay the agent's history before the next batch (its spec gained a feature view). */
  replay: boolean;
}

export interface TrainingLoopStats {
  decisions: number;
  outcomes: number;
  joined: number;
  /** Outcomes whose decision was unknown, evicted, or already joined (corrections). */
  unmatched: number;
  registered: number;
  pauses: number;
  errors: number;
  /** Decisions whose view-backed fields were computed as of their time (they did not log them). */
  filled: number;
  /** Rows learned again by replays of an agent's history (its spec gained a feature view). */
  replayed: number;
}

/**
 * The learning path (DESIGN.md §2.2): consumes `DecisionMade` and `OutcomeRecorded` in
 * global order, joins each outcome to its decision (either may come first; missing outcomes
 * just never join), trains each agent's model incrementally with progressive validation for
 * the model and the rules, and registers new versions with their metrics and lineage.
 * @example
 * const loop = new TrainingLoop({ agents: (a) => agents.get(a), registry });
 * const stop = loop.start(apprentice.store);
 */
export class TrainingLoop {
  readonly stats: TrainingLoopStats = { decisions: 0, outcomes: 0, joined: 0, unmatched: 0, registered: 0, pauses: 0, errors: 0, filled: 0, replayed: 0 };
  readonly #o: TrainingLoopOptions;
  readonly #decisions = new Map<string, PendingDecision>();
  readonly #early = new Map<string, OutcomeData>();
  readonly #agents = new Map<string, AgentState>();
  #cursor: Cursor = START;
  readonly #evicted = new Map<object, number>();

  constructor(options: TrainingLoopOptions) {
    this.#o = options;
  }

  /** Last cursor processed (checkpoint). */
  get cursor(): Cursor {
    return this.#cursor;
  }

  /** Progressive metrics of an agent's current model and rules. */
  metrics(agent: string): Readonly<Record<string, number | null>> | undefined {
    return this.#agents.get(agent)?.trainer.metrics();
  }

  /** Follow the store from `after` (default the start). Returns the disposer. */
  start(store: EventStore, after: Cursor = START): () => Promise<void> {
    return store.subscribe((events, cursor) => this.apply(events, cursor), {
      after,
      types: [EventType.DecisionMade, EventType.OutcomeRecorded],
      batchSize: 500,
    });
  }

  /** Decisions waiting for their outcome and outcomes waiting for their decision: entries, bound (`maxPending`), evictions. */
  bounds(): Record<'decisions' | 'outcomes', { size: number; capacity: number; evictions: number }> {
    const capacity = this.#o.maxPending ?? 100_000;
    return {
      decisions: { size: this.#decisions.size, capacity, evictions: this.#evicted.get(this.#decisions) ?? 0 },
      outcomes: { size: this.#early.size, capacity, evictions: this.#evicted.get(this.#early) ?? 0 },
    };
  }

  /** The checkpoint of everything this loop has learned so far (see `TrainingLoopState`). */
  snapshot(): TrainingLoopState {
    const keep = this.#o.checkpointPending ?? 10_000;
    return {
      version: 1,
      stats: { ...this.stats },
      agents: [...this.#agents].map(([agent, s]) => ({
        agent,
        specHash: s.specHash,
        kind: s.trainer.def.kind,
        feedback: s.trainer.def.feedback,
        trainer: s.trainer.toJSON(),
        rowsSinceCheck: s.rowsSinceCheck,
        fromCursor: s.fromCursor ?? null,
        toCursor: s.toCursor ?? null,
        lastScore: s.lastScore,
        lastVersion: s.lastVersion ?? null,
        ...(s.replay ? { replay: true } : {}),
      })),
      decisions: newest(this.#decisions, keep),
      early: newest(this.#early, keep),
    };
  }

  /**
   * Resume from `snapshot()` (before `start`/`apply`). An agent whose definition is gone or
   * whose features or task changed since starts a fresh model, as it would have live.
   */
  restore(state: TrainingLoopState): void {
    if (state.version !== 1) throw new Error(`unknown training checkpoint version ${String(state.version)}`);
    // Everything is rebuilt first, then committed: a state that fails to load changes nothing.
    const agents: [string, AgentState][] = [];
    for (const a of state.agents) {
      const def = this.#o.agents(a.agent);
      if (!def) continue; // its rows would not be learned live either
      const same = this.#specOf(def) === a.specHash && def.kind === a.kind && def.feedback === a.feedback;
      const window = this.#o.window ?? 500;
      agents.push([
        a.agent,
        {
          trainer: same ? AgentTrainer.fromJSON(def, a.trainer, window) : new AgentTrainer(def, window),
          specHash: this.#specOf(def),
          rowsSinceCheck: same ? a.rowsSinceCheck : 0,
          fromCursor: same ? (a.fromCursor ?? undefined) : undefined,
          toCursor: same ? (a.toCursor ?? undefined) : undefined,
          lastScore: same ? a.lastScore : null,
          lastVersion: a.lastVersion ?? undefined,
          replay: same ? a.replay === true : this.#gainsViews(def),
        },
      ]);
    }
    Object.assign(this.stats, state.stats);
    for (const [agent, s] of agents) this.#agents.set(agent, s);
    for (const [id, d] of state.decisions) this.#decisions.set(id, d);
    for (const [id, o] of state.early) this.#early.set(id, o);
  }

  /** Process one batch of events (in global order). */
  async apply(events: readonly StoredEvent[], cursor?: Cursor): Promise<void> {
    while (this.#o.shouldPause?.()) {
      this.stats.pauses++;
      await new Promise((r) => setTimeout(r, this.#o.pauseMs ?? 100));
    }
    await this.#replays();
    const touched = await this.#ingest(events, cursor);
    if (cursor) this.#cursor = cursor;
    for (const agent of touched) {
      const s = this.#agents.get(agent);
      const q = s?.trainer.quality();
      if (q) this.#o.onQuality?.(agent, q);
      if (s && s.rowsSinceCheck >= (this.#o.registerEvery ?? 200)) await this.#maybeRegister(agent, s);
    }
  }

  /** Check every agent for a new version now (e.g. at shutdown or on a timer). */
  async checkpoint(): Promise<void> {
    for (const [agent, s] of this.#agents) if (s.rowsSinceCheck > 0) await this.#maybeRegister(agent, s);
  }

  /** Join and learn a batch's decisions and outcomes; the agents that learned a row. */
  async #ingest(events: readonly StoredEvent[], cursor: Cursor | undefined): Promise<Set<string>> {
    const filled = await this.#fill(events, cursor);
    let n = 0;
    const touched = new Set<string>();
    for (const e of events) {
      if (e.type === EventType.DecisionMade) this.#decision(e as StoredEvent<string, DecisionData>, filled);
      else if (e.type === EventType.OutcomeRecorded) {
        const agent = this.#outcome(e as StoredEvent<string, OutcomeData>);
        if (agent) touched.add(agent);
      }
      if (++n % 256 === 0) await yieldToLoop();
    }
    return touched;
  }

  /** The batch's decisions' view-backed fields that they did not log, as of each decision's time. */
  async #fill(events: readonly StoredEvent[], cursor: Cursor | undefined): Promise<ReadonlyMap<string, Record<string, unknown>>> {
    const history = this.#o.history;
    const last = events[events.length - 1];
    if (!history || !last) return new Map();
    const asked = new Map<AgentDefinition, PastDecision[]>();
    for (const e of events) {
      if (e.type !== EventType.DecisionMade) continue;
      const d = e.data as DecisionData;
      const def = d.features ? this.#o.agents(d.agent) : undefined;
      if (!def || unservedViews(def, d, (v) => history.versionOf?.(v)).length === 0) continue;
      let list = asked.get(def);
      if (!list) asked.set(def, (list = []));
      list.push({ decisionId: d.decisionId, time: Date.parse(e.time), context: d.context, featureViews: d.featureViews });
    }
    const out = new Map<string, Record<string, unknown>>();
    for (const [def, decisions] of asked) {
      try {
        for (const [id, values] of await history.fill(def, decisions, cursor ?? cursorOf(last))) out.set(id, values);
      } catch (e) {
        // The rows train with the fields missing, as they would without a history.
        this.stats.errors++;
        this.#o.onError?.(e);
      }
    }
    return out;
  }

  #decision(e: StoredEvent<string, DecisionData>, filled: ReadonlyMap<string, Record<string, unknown>>): void {
    const d = e.data;
    if (!d.features || !this.#o.agents(d.agent)) return;
    this.stats.decisions++;
    const fill = filled.get(d.decisionId);
    if (fill) this.stats.filled++;
    const features = fill ? { ...d.features, ...fill } : d.features;
    const p: PendingDecision = { agent: d.agent, features, deterministic: d.deterministic ?? d.value, served: d.value, cursor: formatCursor(e) };
    const early = this.#early.get(d.decisionId);
    if (early) {
      this.#early.delete(d.decisionId);
      this.#join(d.decisionId, p, early, p.cursor);
    } else this.#remember(this.#decisions, d.decisionId, p);
  }

  /** Whether a (changed) spec names feature views that a replay could fill. */
  #gainsViews(def: AgentDefinition): boolean {
    return this.#o.history !== undefined && this.#o.log !== undefined && viewFieldsOf(def).length > 0;
  }

  /** Agents whose spec (or a view it reads) changed since the last batch: a fresh model, whose history is replayed first if the spec reads views. */
  async #replays(): Promise<void> {
    for (const [agent, held] of this.#agents) {
      let s = held;
      const def = this.#o.agents(agent);
      if (!def) continue;
      if (!s.replay && s.trainer.def === def && viewFieldsOf(def).length > 0 && this.#changed(s, def)) {
        // The same spec, but a view it reads was redefined: a fresh model, like a spec change.
        s = this.#fresh(agent, def, s);
      } else if (!s.replay && s.trainer.def !== def && this.#changed(s, def)) s.replay = this.#gainsViews(def);
      if (s.replay) await this.#replay(agent, def, s);
    }
  }

  /**
   * Train the agent's fresh model on its history up to this loop's cursor (a second loop over
   * the log, for this agent only, filling view-backed fields as of each decision), then carry
   * on from here: its pending decisions get the filled values too.
   */
  async #replay(agent: string, def: AgentDefinition, s: AgentState): Promise<void> {
    const log = this.#o.log;
    s.replay = false;
    if (!log || !this.#o.history) return;
    const sub = new TrainingLoop({ ...this.#o, agents: (a) => (a === agent ? def : undefined), onRegistered: undefined, onQuality: undefined, shouldPause: undefined });
    const upTo = this.#cursor;
    try {
      let after = START;
      while (compareCursors(after, upTo) < 0) {
        const page = await log.readPage({ after, limit: 10_000, types: [EventType.DecisionMade, EventType.OutcomeRecorded] });
        const events = page.events.filter((e) => compareCursors(cursorOf(e), upTo) <= 0);
        await sub.#ingest(events, upTo);
        if (events.length < page.events.length || !page.more) break;
        after = page.cursor;
      }
    } catch (e) {
      // Tried again before the next batch; meanwhile the fresh model learns from new rows.
      s.replay = true;
      this.stats.errors++;
      this.#o.onError?.(e);
      return;
    }
    const replayed = sub.#agents.get(agent) ?? sub.#state(agent, def);
    this.#agents.set(agent, { ...replayed, lastScore: null, lastVersion: s.lastVersion, replay: false });
    for (const [id, p] of sub.#decisions) if (this.#decisions.has(id)) this.#decisions.set(id, p);
    this.stats.replayed += sub.stats.joined;
    this.stats.filled += sub.stats.filled;
    this.stats.errors += sub.stats.errors;
  }

  /**
   * What a model must have been trained on to fit the agent: its spec (`specHash`) and, for the
   * fields that come from feature views, the views' current definitions (a view redefined, say a
   * window changed, gives other values under the same field names). Equal to `specHash` for an
   * agent without view fields.
   */
  #specOf(def: AgentDefinition): string {
    const views = this.#o.history?.viewsDigest?.(def);
    return views ? `${specHash(def.features)}|${views}` : specHash(def.features);
  }

  #changed(s: AgentState, def: AgentDefinition): boolean {
    return this.#specOf(def) !== s.specHash || s.trainer.def.kind !== def.kind || s.trainer.def.feedback !== def.feedback;
  }

  #outcome(e: StoredEvent<string, OutcomeData>): string | undefined {
    const o = e.data;
    this.stats.outcomes++;
    const p = this.#decisions.get(o.decisionId);
    if (!p) {
      // An agent this loop does not train: its decisions are skipped, so nothing would join.
      if (o.agent !== undefined && !this.#o.agents(o.agent)) return undefined;
      // The decision may still come (spilled events can arrive late), or be unknown/evicted.
      this.#remember(this.#early, o.decisionId, o);
      this.stats.unmatched++;
      return undefined;
    }
    this.#decisions.delete(o.decisionId);
    return this.#join(o.decisionId, p, o, formatCursor(e));
  }

  #join(decisionId: string, p: PendingDecision, o: OutcomeData, cursor: string): string | undefined {
    const def = this.#o.agents(p.agent);
    if (!def) return undefined;
    const s = this.#state(p.agent, def);
    const row: TrainingRow = { features: p.features, deterministic: p.deterministic, served: p.served, label: o.label, value: o.value, reward: o.reward };
    try {
      if (!s.trainer.learn(row)) return undefined;
    } catch (e) {
      this.stats.errors++;
      this.#o.onError?.(e);
      return undefined;
    }
    this.stats.joined++;
    this.#o.onRow?.(p.agent, decisionId, row);
    s.rowsSinceCheck++;
    s.fromCursor ??= p.cursor;
    s.toCursor = cursor;
    return p.agent;
  }

  #state(agent: string, def: AgentDefinition): AgentState {
    const s = this.#agents.get(agent);
    if (s && s.trainer.def === def) return s;
    if (s && !this.#changed(s, def)) return s;
    // A new agent, or a definition whose features or task changed: start a fresh model.
    return this.#fresh(agent, def, s);
  }

  /** A fresh model for the agent (whose history is replayed before the next batch if its spec reads feature views). */
  #fresh(agent: string, def: AgentDefinition, previous: AgentState | undefined): AgentState {
    const replay = previous !== undefined && this.#gainsViews(def);
    const s = { trainer: new AgentTrainer(def, this.#o.window ?? 500), specHash: this.#specOf(def), rowsSinceCheck: 0, fromCursor: undefined, toCursor: undefined, lastScore: null, lastVersion: previous?.lastVersion, replay };
    this.#agents.set(agent, s);
    return s;
  }

  async #maybeRegister(agent: string, s: AgentState): Promise<void> {
    if (s.trainer.samples < (this.#o.minSamples ?? 50)) return;
    s.rowsSinceCheck = 0;
    const score = s.trainer.score();
    const better = s.lastScore === null || (score !== null && score > s.lastScore);
    if ((this.#o.policy ?? 'when-better') === 'when-better' && !better) return;
    try {
      const v = await this.#o.registry.register(
        agent,
        { format: s.trainer.def.feedback === 'reward' ? 'reward' : 'learner', artifact: s.trainer.artifact() } as Parameters<ModelRegistry['register']>[1],
        {
          metrics: s.trainer.metrics(),
          lineage: {
            source: 'trainer',
            samples: s.trainer.samples,
            ...(s.fromCursor ? { fromCursor: s.fromCursor } : {}),
            ...(s.toCursor ? { toCursor: s.toCursor } : {}),
            ...(s.lastVersion !== undefined ? { parentVersion: s.lastVersion } : {}),
          },
          actor: 'trainer',
        },
      );
      s.lastScore = score;
      s.lastVersion = v.version;
      this.stats.registered++;
      const alias = this.#o.alias === undefined ? 'shadow' : this.#o.alias;
      if (alias) this.#o.registry.setAlias(agent, alias, v.version, { actor: 'trainer', reason: `trained on ${s.trainer.samples} outcomes; score ${score ?? 'n/a'}` });
      this.#o.onRegistered?.(v);
    } catch (e) {
      this.stats.errors++;
      this.#o.onError?.(e);
    }
  }

  #remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.set(key, value);
    if (map.size > (this.#o.maxPending ?? 100_000)) {
      map.delete(map.keys().next().value as string);
      this.#evicted.set(map, (this.#evicted.get(map) ?? 0) + 1);
    }
  }
}

/** The newest `n` entries of an insertion-ordered map, oldest of them first. */
function newest<V>(map: ReadonlyMap<string, V>, n: number): [string, V][] {
  const all = [...map];
  return all.length > n ? all.slice(all.length - n) : all;
}
