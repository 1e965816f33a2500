import { isDeepStrictEqual } from 'node:util';
import { EventType, NotFoundError, uuidv7, type StoredEvent } from '../../core/index.js';
import type { EventStore } from '../../log/index.js';
import { START } from '../../log/index.js';
import type { ChangeMeta, EventSink } from '../agents/agent-registry.js';
import { parseFeatureView, type FeatureViewDefinition, type VersionedFeatureView } from './feature-view.js';

/** Payload of `FeatureViewDefined`: the view before (null for a new one) and after. */
export interface FeatureViewDefinedData {
  readonly view: string;
  readonly version: number;
  readonly before: VersionedFeatureView | null;
  readonly after: VersionedFeatureView;
}

export const featureViewStream = (view: string): string => `feature-view-${view}`;

/**
 * Feature views, versioned like agent definitions: every change is a `FeatureViewDefined`
 * event with the view before and after; an identical re-definition is a no-op. A new version
 * of a view is materialised from scratch (its state is keyed by version).
 * @example
 * const views = new FeatureViewRegistry({ sink: apprentice.writer });
 * views.define({ name: 'author-reliability', entity: 'author', entityPath: 'context.author',
 *   source: { events: 'outcomes', agent: 'code-reviewer' },
 *   features: [{ name: 'approve_rate_30d', aggregation: 'mean', field: 'label', equals: 'approve', window: '30d' }] });
 */
export class FeatureViewRegistry {
  readonly #sink: EventSink | undefined;
  readonly #now: () => number;
  readonly #views = new Map<string, VersionedFeatureView>();
  #listeners: ((v: VersionedFeatureView) => void)[] = [];

  constructor(options: { readonly sink?: EventSink; readonly now?: () => number } = {}) {
    this.#sink = options.sink;
    this.#now = options.now ?? Date.now;
  }

  /** Define or change a view (validated); returns the stored version. */
  define(input: unknown, meta: ChangeMeta = {}): VersionedFeatureView {
    const def = parseFeatureView(input);
    const before = this.#views.get(def.name) ?? null;
    if (before && isDeepStrictEqual(strip(before), def)) return before;
    const after: VersionedFeatureView = { ...def, version: (before?.version ?? 0) + 1, updatedAt: new Date(this.#now()).toISOString() };
    this.#views.set(def.name, after);
    const data: FeatureViewDefinedData = { view: def.name, version: after.version, before, after };
    this.#sink?.record({
      id: uuidv7(),
      type: EventType.FeatureViewDefined,
      stream: featureViewStream(def.name),
      data,
      metadata: { actor: meta.actor ?? 'system', ...(meta.reason ? { reason: meta.reason } : {}) },
      time: after.updatedAt,
    });
    for (const l of this.#listeners) l(after);
    return after;
  }

  get(name: string): VersionedFeatureView | undefined {
    return this.#views.get(name);
  }

  require(name: string): VersionedFeatureView {
    const v = this.#views.get(name);
    if (!v) throw new NotFoundError(`feature view ${name} is not defined`);
    return v;
  }

  list(): VersionedFeatureView[] {
    return [...this.#views.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Called after every change (the materialiser starts a new version's backfill). */
  onChange(listener: (v: VersionedFeatureView) => void): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => void (this.#listeners = this.#listeners.filter((l) => l !== listener));
  }

  /** Apply a stored `FeatureViewDefined` (catch-up, other instances); later versions win. */
  apply(event: StoredEvent): void {
    if (event.type !== EventType.FeatureViewDefined) return;
    const d = event.data as FeatureViewDefinedData;
    const current = this.#views.get(d.view);
    if (current && current.version >= d.version) return;
    this.#views.set(d.view, d.after);
    for (const l of this.#listeners) l(d.after);
  }

  /** Rebuild the views from the event log. */
  async load(store: EventStore): Promise<number> {
    let after = START;
    let n = 0;
    for (;;) {
      const page = await store.readPage({ after, limit: 1000, types: [EventType.FeatureViewDefined] });
      for (const e of page.events) this.apply(e);
      n += page.events.length;
      if (!page.more) return n;
      after = page.cursor;
    }
  }
}

function strip(v: VersionedFeatureView): FeatureViewDefinition {
  const { version: _v, updatedAt: _u, ...def } = v;
  return def;
}
