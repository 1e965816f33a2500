import { createHash } from 'node:crypto';
import type { DecisionData } from '../../core/index.js';
import { canonical } from '../feature-spec.js';
import { START, compareCursors, type Cursor, type EventStore } from '../../log/index.js';
import type { AgentDefinition } from '../agents/agent-definition.js';
import type { FeatureValue, ViewInput } from './aggregation.js';
import { entityIn, viewFieldsOf } from './feature-reader.js';
import type { FeatureViewDefinition, VersionedFeatureView } from './feature-view.js';
import { joinInputs, type AsOfRequest } from './point-in-time.js';
import { ViewInputs, viewEventTypes } from './view-input.js';

/** A logged decision whose view-backed fields may need values, as the training loop holds it. */
export interface PastDecision {
  readonly decisionId: string;
  /** The decision's time (epoch ms): values are as of just before it, never later. */
  readonly time: number;
  /** The context as logged (the entity ids are read from it, as the online read did). */
  readonly context: unknown;
  /** The views the decision was served from (`DecisionData.featureViews`). */
  readonly featureViews?: DecisionData['featureViews'];
}

/**
 * The seam through which the training loop fills a decision's view-backed fields that the
 * decision did not log (their view was not in the agent's spec when it was made): the values
 * as of the decision's time, computed from the log. Implemented by `FeatureHistory`.
 */
export interface HistoricalFeatures {
  /**
   * Per decision id, the filled fields (by spec field name). Only fields whose view the
   * decision did not log, or logged from another version of the view (`servedFits`), are
   * filled: what the current definition served stays what was served. Reads the log at least
   * up to `upTo`.
   */
  fill(def: AgentDefinition, decisions: readonly PastDecision[], upTo: Cursor): Promise<Map<string, Record<string, FeatureValue>>>;
  /**
   * The current definitions of the views `def`'s fields come from (what decides their values:
   * entity, source, aggregations, windows), digested; '' when it has none. Part of what decides
   * whether a model still fits its agent: a view redefined retrains its agents from scratch.
   */
  viewsDigest?(def: AgentDefinition): string;
  /** The current version of a view (undefined: not defined). */
  versionOf?(view: string): number | undefined;
}

/**
 * Whether a decision's logged read of a view stands for the view's current definition: it was
 * served by this version, or logged before decisions carried the version (nothing to compare).
 * A read served by another version holds values of another definition under the same field
 * names (a window or aggregation changed): training recomputes them as of the decision's time.
 */
export function servedFits(logged: { readonly version?: number } | undefined, current: number | undefined): boolean {
  return logged !== undefined && (current === undefined || logged.version === undefined || logged.version === current);
}

/** Digest of what decides a view's values (not its TTL, loss policy or description). */
export function viewDigest(view: FeatureViewDefinition): string {
  const { entity, entityPath, source, features } = view;
  return createHash('sha256')
    .update(canonical({ entity, entityPath, source, features }))
    .digest('hex')
    .slice(0, 16);
}

/**
 * Views of `def`'s spec a logged decision was not served from although its context names the
 * entity: the views whose values a `HistoricalFeatures` can fill for it.
 */
export function unservedViews(def: AgentDefinition, decision: Pick<DecisionData, 'context' | 'featureViews'>, versionOf?: (view: string) => number | undefined): string[] {
  const out: string[] = [];
  for (const { from } of viewFieldsOf(def))
    if (!servedFits(decision.featureViews?.[from.view], versionOf?.(from.view)) && !out.includes(from.view) && entityIn(decision.context, from.entity) !== undefined) out.push(from.view);
  return out;
}

export interface FeatureHistoryOptions {
  readonly store: EventStore;
  /** The current definition of a view (`FeatureViewRegistry`). */
  readonly views: { get(name: string): VersionedFeatureView | undefined };
  /** Inputs held in memory over all views; a view past it is no longer filled (its fields stay missing). Default 500,000. */
  readonly maxInputs?: number;
  /** Events read per page. Default 10,000. */
  readonly batchSize?: number;
}

/** A view version's inputs read so far, by entity, each list in time (then log) order. */
interface ViewIndex {
  readonly view: VersionedFeatureView;
  readonly joiner: ViewInputs;
  cursor: Cursor;
  seq: number;
  size: number;
  readonly byEntity: Map<string, ViewInput[]>;
}

/**
 * Point-in-time values of feature views for past decisions, from the log (Feast's
 * `get_historical_features`, fed incrementally): per view version it reads the view's inputs
 * once, forward from the start of the log, and keeps them by entity; a decision's values are
 * then computed from its entity's inputs strictly before the decision's time
 * (`joinInputs`), the same bucketed computation the online store serves. Memory: every input of
 * the current version of each view asked for so far (bounded by `maxInputs`; `bounds()`).
 * @example
 * const history = new FeatureHistory({ store: apprentice.store, views });
 * const loop = new TrainingLoop({ agents, registry, history, log: apprentice.store });
 */
export class FeatureHistory implements HistoricalFeatures {
  readonly #o: FeatureHistoryOptions;
  readonly #indexes = new Map<string, ViewIndex>();
  readonly #overflowed = new Set<string>();
  readonly #digests = new WeakMap<VersionedFeatureView, string>();
  #held = 0;
  /** Inputs dropped with the view versions that overflowed `maxInputs`. */
  #dropped = 0;
  /** Evictions of the joiners of dropped indexes (cumulative). */
  #joinsDropped = 0;

  constructor(options: FeatureHistoryOptions) {
    this.#o = options;
  }

  versionOf(view: string): number | undefined {
    return this.#o.views.get(view)?.version;
  }

  viewsDigest(def: AgentDefinition): string {
    const names = [...new Set(viewFieldsOf(def).map((f) => f.from.view))].sort();
    return names
      .map((name) => {
        const view = this.#o.views.get(name);
        if (!view) return `${name}:-`;
        let d = this.#digests.get(view);
        if (d === undefined) this.#digests.set(view, (d = viewDigest(view)));
        return `${name}:${d}`;
      })
      .join(',');
  }

  /**
   * The memory of this backfill: `inputs` held (the bound `maxInputs`; `evictions`: inputs
   * dropped with each view version that went past it, cumulative) and `joins`, the decisions its
   * joiners remember to join outcomes to their entities (200,000 per view version). `overflowed`:
   * view versions no longer filled.
   */
  bounds(): { inputs: { size: number; capacity: number; evictions: number }; joins: { size: number; capacity: number; evictions: number }; overflowed: number } {
    const joins = { size: 0, capacity: 0, evictions: this.#joinsDropped };
    for (const index of this.#indexes.values()) {
      const b = index.joiner.bounds();
      joins.size += b.size;
      joins.capacity += b.capacity;
      joins.evictions += b.evictions;
    }
    return { inputs: { size: this.#held, capacity: this.#o.maxInputs ?? 500_000, evictions: this.#dropped }, joins, overflowed: this.#overflowed.size };
  }

  async fill(def: AgentDefinition, decisions: readonly PastDecision[], upTo: Cursor): Promise<Map<string, Record<string, FeatureValue>>> {
    const out = new Map<string, Record<string, FeatureValue>>();
    const fields = viewFieldsOf(def);
    for (const name of [...new Set(fields.map((f) => f.from.view))]) {
      const view = this.#o.views.get(name);
      if (!view) continue;
      const asked = decisions.filter((d) => !servedFits(d.featureViews?.[name], view.version));
      if (asked.length === 0) continue;
      const index = await this.#catchUp(view, upTo);
      if (!index) continue;
      for (const key of [...new Set(fields.filter((f) => f.from.view === name).map((f) => f.from.entity))]) {
        const requests: AsOfRequest[] = [];
        for (const d of asked) {
          const entity = entityIn(d.context, key);
          if (entity !== undefined) requests.push({ key: d.decisionId, entity, time: d.time });
        }
        const inputs = [...new Set(requests.map((r) => r.entity))].flatMap((e) => index.byEntity.get(e) ?? []);
        const rows = joinInputs(view, inputs, requests);
        for (const f of fields) {
          if (f.from.view !== name || f.from.entity !== key) continue;
          for (const [id, values] of rows) {
            const v = values[f.from.feature];
            if (v === undefined) continue;
            let row = out.get(id);
            if (!row) out.set(id, (row = {}));
            row[f.name] = v;
          }
        }
      }
    }
    return out;
  }

  /** Drop a view version's index; `overflow`: for the bound (counted as evictions). */
  #forget(key: string, index: ViewIndex, overflow: boolean): void {
    this.#held -= index.size;
    if (overflow) this.#dropped += index.size;
    this.#joinsDropped += index.joiner.bounds().evictions;
    this.#indexes.delete(key);
  }

  /** The view version's index, read at least up to `upTo`; undefined past `maxInputs`. */
  async #catchUp(view: VersionedFeatureView, upTo: Cursor): Promise<ViewIndex | undefined> {
    const key = `${view.name}:${view.version}`;
    if (this.#overflowed.has(key)) return undefined;
    let index = this.#indexes.get(key);
    if (!index) {
      // An older version of the view is no longer asked for: its inputs go.
      for (const [k, old] of this.#indexes) if (old.view.name === view.name) this.#forget(k, old, false);
      this.#indexes.set(key, (index = { view, joiner: new ViewInputs(view), cursor: START, seq: 0, size: 0, byEntity: new Map() }));
    }
    const types = viewEventTypes(view);
    const max = this.#o.maxInputs ?? 500_000;
    while (compareCursors(index.cursor, upTo) < 0) {
      const page = await this.#o.store.readPage({ after: index.cursor, limit: this.#o.batchSize ?? 10_000, types });
      await index.joiner.resolve(this.#o.store, page.events);
      for (const e of page.events) {
        const x = index.joiner.input(e, index.seq++);
        if (!x) continue;
        if (this.#held >= max) {
          // Never above the bound: the view version that would pass it is dropped whole.
          this.#forget(key, index, true);
          this.#overflowed.add(key);
          return undefined;
        }
        insertInOrder(index, x);
        this.#held++;
      }
      index.cursor = page.cursor;
      if (!page.more) break;
    }
    return index;
  }
}

/** Add an input to its entity's list, kept in (time, log order): almost always an append. */
function insertInOrder(index: ViewIndex, x: ViewInput): void {
  let list = index.byEntity.get(x.entity);
  if (!list) index.byEntity.set(x.entity, (list = []));
  let k = list.length;
  while (k > 0 && list[k - 1]!.time > x.time) k--;
  list.splice(k, 0, x);
  index.size++;
}
