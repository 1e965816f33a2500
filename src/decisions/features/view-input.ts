import { EventType, decisionStream, type DecisionData, type OutcomeData } from '../../core/index.js';
import type { EventStore } from '../../log/index.js';
import { getPath, type ViewInput } from './aggregation.js';
import type { FeatureViewDefinition } from './feature-view.js';

/** What the feature engine needs of a logged event. */
export interface LogEvent {
  readonly type: string;
  readonly data: unknown;
  /** ISO-8601. */
  readonly time: string;
}

/** Event types a view reads from the log. */
export function viewEventTypes(view: FeatureViewDefinition): string[] {
  switch (view.source.events) {
    case 'decisions':
      return [EventType.DecisionMade];
    case 'outcomes':
      return [EventType.DecisionMade, EventType.OutcomeRecorded];
    default:
      return [view.source.events];
  }
}

/** An entity id: a non-empty string or a finite number, as text. */
function entityOf(data: unknown, path: string): string | undefined {
  const v = getPath(data, path);
  if (typeof v === 'string' && v.length > 0 && v.length <= 256) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/**
 * Turns logged events into a view's inputs. Outcome views join each `OutcomeRecorded` to its
 * decision's entity: the joiner remembers the entity of every decision of the view's agent it
 * has seen (at most `capacity`, oldest forgotten first); an outcome whose decision it does not
 * know is reported by `unknownDecisions` so the caller can look the decision up in the store
 * and `remember` it. An outcome counts at its own time, never at its decision's.
 */
export class ViewInputs {
  readonly view: FeatureViewDefinition;
  readonly #capacity: number;
  readonly #entities = new Map<string, string | null>();
  #evictions = 0;

  constructor(view: FeatureViewDefinition, options: { capacity?: number } = {}) {
    this.view = view;
    this.#capacity = options.capacity ?? 200_000;
  }

  /** Remember the entity of a decision (null: the decision is of no interest to this view). */
  remember(decisionId: string, decision: DecisionData | undefined): void {
    const agent = this.view.source.agent;
    const entity = decision && (agent === undefined || decision.agent === agent) ? (entityOf(decision, this.view.entityPath) ?? null) : null;
    this.#entities.set(decisionId, entity);
    if (this.#entities.size > this.#capacity) {
      this.#entities.delete(this.#entities.keys().next().value!);
      this.#evictions++;
    }
  }

  /** Decisions remembered, the bound (`capacity`), and those forgotten for it (cumulative). */
  bounds(): { size: number; capacity: number; evictions: number } {
    return { size: this.#entities.size, capacity: this.#capacity, evictions: this.#evictions };
  }

  /** Decision ids of outcomes in `events` whose decision this joiner does not know (outcome views only). */
  unknownDecisions(events: readonly LogEvent[]): string[] {
    if (this.view.source.events !== 'outcomes') return [];
    const known = new Set<string>();
    const out: string[] = [];
    for (const e of events) {
      if (e.type === EventType.DecisionMade) known.add((e.data as DecisionData).decisionId);
      else if (e.type === EventType.OutcomeRecorded) {
        const id = (e.data as OutcomeData).decisionId;
        if (!known.has(id) && !this.#entities.has(id) && !out.includes(id)) out.push(id);
      }
    }
    return out;
  }

  /** Look up, in the store, the decisions of the outcomes in `events` this joiner does not know (one query), and remember them. */
  async resolve(store: Pick<EventStore, 'query'>, events: readonly LogEvent[]): Promise<void> {
    const unknown = this.unknownDecisions(events);
    if (unknown.length === 0) return;
    const rows = await store.query<{ data: DecisionData }>(`SELECT data FROM events WHERE type = 'DecisionMade' AND stream = ANY($1::text[])`, [unknown.map((id) => decisionStream(id))]);
    const found = new Map(rows.map((r) => [r.data.decisionId, r.data]));
    for (const id of unknown) this.remember(id, found.get(id));
  }

  /** The input an event gives this view, if any (decisions are remembered on the way). */
  input(e: LogEvent, seq: number): ViewInput | undefined {
    const { source, entityPath } = this.view;
    const time = Date.parse(e.time);
    if (!Number.isFinite(time)) return undefined;
    if (source.events === 'outcomes') {
      if (e.type === EventType.DecisionMade) {
        const d = e.data as DecisionData;
        this.remember(d.decisionId, d);
        return undefined;
      }
      if (e.type !== EventType.OutcomeRecorded) return undefined;
      const entity = this.#entities.get((e.data as OutcomeData).decisionId);
      return entity ? { entity, time, seq, data: e.data } : undefined;
    }
    const type = source.events === 'decisions' ? EventType.DecisionMade : source.events;
    if (e.type !== type) return undefined;
    if (source.agent !== undefined && (e.data as { agent?: unknown } | null)?.agent !== source.agent) return undefined;
    const entity = entityOf(e.data, entityPath);
    return entity === undefined ? undefined : { entity, time, seq, data: e.data };
  }
}

/** Every input of a view in a log (in log order; seq = index in `log`). */
export function viewInputsOf(view: FeatureViewDefinition, log: readonly LogEvent[]): ViewInput[] {
  const joiner = new ViewInputs(view, { capacity: Number.MAX_SAFE_INTEGER });
  const out: ViewInput[] = [];
  log.forEach((e, i) => {
    const x = joiner.input(e, i);
    if (x) out.push(x);
  });
  return out;
}
