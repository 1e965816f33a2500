import { NotFoundError } from '../../core/index.js';
import type { AgentDefinition } from '../agents/agent-definition.js';
import type { FeatureSource } from '../feature-spec.js';
import { readFeatures, type EntityState, type FeatureValue } from './aggregation.js';
import type { VersionedFeatureView } from './feature-view.js';
import type { FeatureViewRegistry } from './feature-view-registry.js';
import type { OnlineCache } from './online-cache.js';
import type { OnlineStore } from './online-store.js';

/** How a read was served: `fresh` (the view is live), `stale` (rebuilding: last known values), `missing`. */
export type ReadStatus = 'fresh' | 'stale' | 'missing';

/** One online read. */
export interface FeatureRead {
  readonly view: string;
  readonly version: number;
  readonly entity: string;
  readonly status: ReadStatus;
  /** The features as of `asOf` (null when missing). An entity never seen has counts of 0 and nulls. */
  readonly values: Readonly<Record<string, FeatureValue>> | null;
  readonly asOf: string;
}

/** A decision's view-backed features: values by spec field name, and per view what was served. */
export interface Enrichment {
  readonly values: Readonly<Record<string, FeatureValue>>;
  readonly views: Readonly<Record<string, { readonly entity: string; readonly status: ReadStatus; readonly version: number }>>;
}

/** The seam through which the decision engine enriches features (implemented by `FeatureReader`). */
export interface FeatureEnricher {
  /** Synchronous (in-process store): undefined when the agent's spec names no view. */
  enrichSync(def: AgentDefinition, context: unknown): Enrichment | undefined;
  /** Any store, under the reader's time budget; never rejects. */
  enrich(def: AgentDefinition, context: unknown): Promise<Enrichment | undefined>;
}

export interface FeatureReaderOptions {
  readonly online: OnlineStore;
  readonly views: FeatureViewRegistry;
  /**
   * A local cache of a networked store (Redis), kept fresh by the store's change stream: the
   * synchronous path (`decide()`) reads it instead of nothing, and `enrich` reads it before
   * waiting for the store. A miss is fetched in the background, never waited for.
   */
  readonly cache?: OnlineCache;
  /**
   * Whether a view version is live (caught up since its last (re)build). Default: the stored
   * checkpoint, polled every `refreshMs` in the background (never on the read path).
   */
  readonly live?: (view: string, version: number) => boolean | undefined;
  /** Default 250 ms. */
  readonly refreshMs?: number;
  /** Longest wait for the online store on `enrich` (a decision). Default 5 ms: then the view is missing. */
  readonly budgetMs?: number;
  /** Last values served per (view, entity), for the `stale` policy. Default 10,000 entries. */
  readonly staleCapacity?: number;
  /** After each read (metrics: reads by status). */
  readonly onRead?: (view: string, status: ReadStatus) => void;
  readonly now?: () => number;
}

/**
 * Values computed from a state, per minute: a read as of t depends on t only through each time
 * window's bucket index floor(t / width), and every bucket width is a whole number of minutes,
 * so within one minute the answer is the same. A stored state is never mutated (the
 * materialiser commits new objects), so the memo is exact; it only helps the in-process store,
 * whose reads return the stored object itself.
 */
const memo = new WeakMap<EntityState, { minute: number; values: Readonly<Record<string, FeatureValue>> }>();
function valuesOf(v: VersionedFeatureView, state: EntityState | undefined, now: number): Readonly<Record<string, FeatureValue>> {
  if (!state) return readFeatures(v, undefined, now);
  const minute = Math.floor(now / 60_000);
  const m = memo.get(state);
  if (m && m.minute === minute) return m.values;
  const values = readFeatures(v, state, now);
  memo.set(state, { minute, values });
  return values;
}

let isoAt = NaN;
let iso = '';
/** `new Date(ms).toISOString()`, remembered for the last millisecond asked. */
function isoOf(ms: number): string {
  if (ms !== isoAt) [isoAt, iso] = [ms, new Date(ms).toISOString()];
  return iso;
}

const sourceFields = new WeakMap<AgentDefinition, readonly { name: string; from: FeatureSource }[]>();

/** The view-backed fields of an agent's spec (remembered per definition). */
export function viewFieldsOf(def: AgentDefinition): readonly { name: string; from: FeatureSource }[] {
  let f = sourceFields.get(def);
  if (!f) sourceFields.set(def, (f = def.features.flatMap((x) => (x.from ? [{ name: x.name, from: x.from }] : []))));
  return f;
}

/** The entity id under `key` of a decision's context: a non-empty string, or a finite number as text. */
export function entityIn(context: unknown, key: string): string | undefined {
  if (context === null || typeof context !== 'object') return undefined;
  const v = (context as Record<string, unknown>)[key];
  return typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}

/**
 * Online reads of feature views with their loss policy: while a view is live, the features
 * are computed from the entity's bucketed state as of now (O(buckets)); while it is being
 * rebuilt (a new view, or Redis lost the store), a `stale` view serves the last values this
 * instance served (or the partial rebuilt state), flagged `stale`, and a `missing` view serves
 * nothing. A failing online store answers like a rebuilding one: a decision never fails on it.
 */
export class FeatureReader implements FeatureEnricher {
  readonly #o: FeatureReaderOptions;
  readonly #live = new Map<string, boolean>();
  readonly #last = new Map<string, Readonly<Record<string, FeatureValue>>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: FeatureReaderOptions) {
    this.#o = options;
  }

  /** Poll the views' checkpoints in the background (when no `live` function was given). */
  start(): void {
    if (this.#o.live || this.#timer) return;
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.#o.refreshMs ?? 250);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Load every view's liveness from its checkpoint now. */
  async refresh(): Promise<void> {
    await Promise.all(
      this.#o.views.list().map(async (v) => {
        const key = `${v.name}:${v.version}`;
        try {
          this.#live.set(key, (await this.#o.online.checkpoint(v.name, v.version))?.live === true);
        } catch {
          this.#live.set(key, false);
        }
      }),
    );
  }

  #isLive(v: VersionedFeatureView): boolean {
    return (this.#o.live ? this.#o.live(v.name, v.version) : this.#live.get(`${v.name}:${v.version}`)) === true;
  }

  #view(name: string): VersionedFeatureView {
    const v = this.#o.views.get(name);
    if (!v) throw new NotFoundError(`feature view ${name} is not defined`);
    return v;
  }

  /** Serve a read from what the store gave (`state`, or `failed`), by the view's state and policy. */
  #serve(v: VersionedFeatureView, entity: string, state: EntityState | undefined, failed: boolean): FeatureRead {
    const now = (this.#o.now ?? Date.now)();
    const key = `${v.name}:${v.version}\u0000${entity}`;
    let status: ReadStatus;
    let values: Readonly<Record<string, FeatureValue>> | null;
    if (!failed && this.#isLive(v)) {
      status = 'fresh';
      values = valuesOf(v, state, now);
      this.#remember(key, values);
    } else if (v.onLoss === 'stale') {
      values = this.#last.get(key) ?? (state ? valuesOf(v, state, now) : null);
      status = values ? 'stale' : 'missing';
    } else {
      status = 'missing';
      values = null;
    }
    this.#o.onRead?.(v.name, status);
    return { view: v.name, version: v.version, entity, status, values, asOf: isoOf(now) };
  }

  #remember(key: string, values: Readonly<Record<string, FeatureValue>>): void {
    this.#last.delete(key);
    this.#last.set(key, values);
    if (this.#last.size > (this.#o.staleCapacity ?? 10_000)) this.#last.delete(this.#last.keys().next().value!);
  }

  /** One entity's features (the API's `GET /api/v1/features/{view}/{entity}`). */
  async get(view: string, entity: string): Promise<FeatureRead> {
    const v = this.#view(view);
    try {
      return this.#serve(v, entity, await this.#o.online.read(v.name, v.version, entity), false);
    } catch {
      return this.#serve(v, entity, undefined, true);
    }
  }

  /** Synchronous read: the in-process store, or the cache of a networked one (undefined when not cached yet, or no cache). */
  getSync(view: string, entity: string): FeatureRead | undefined {
    const read = this.#o.online.readSync;
    const cache = this.#o.cache;
    if (!read && !cache) return undefined;
    const v = this.#view(view);
    if (read) return this.#serve(v, entity, read.call(this.#o.online, v.name, v.version, entity), false);
    const hit = cache!.peek(v.name, v.version, entity);
    return hit ? this.#serve(v, entity, hit.state, false) : undefined;
  }

  enrichSync(def: AgentDefinition, context: unknown): Enrichment | undefined {
    const fields = viewFieldsOf(def);
    if (fields.length === 0) return undefined;
    const reads = new Map<string, FeatureRead | undefined>();
    for (const f of fields) {
      const k = `${f.from.view}\u0000${f.from.entity}`;
      if (reads.has(k)) continue;
      const entity = entityIn(context, f.from.entity);
      const v = this.#o.views.get(f.from.view);
      reads.set(k, entity === undefined || !v ? undefined : (this.getSync(v.name, entity) ?? this.#missing(v, entity)));
    }
    return assemble(fields, reads);
  }

  async enrich(def: AgentDefinition, context: unknown): Promise<Enrichment | undefined> {
    const fields = viewFieldsOf(def);
    if (fields.length === 0) return undefined;
    const keys = [...new Set(fields.map((f) => `${f.from.view}\u0000${f.from.entity}`))];
    const budget = this.#o.budgetMs ?? 5;
    const reads = await Promise.all(
      keys.map(async (k): Promise<[string, FeatureRead | undefined]> => {
        const [view, key] = k.split('\u0000') as [string, string];
        const entity = entityIn(context, key);
        const v = this.#o.views.get(view);
        if (entity === undefined || !v) return [k, undefined];
        if (this.#o.online.readSync) return [k, this.getSync(view, entity)];
        const hit = this.#o.cache?.peek(v.name, v.version, entity);
        if (hit) return [k, this.#serve(v, entity, hit.state, false)];
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), budget)));
        try {
          const state = await Promise.race([this.#o.online.read(v.name, v.version, entity), late]);
          return [k, state === 'late' ? this.#serve(v, entity, undefined, true) : this.#serve(v, entity, state, false)];
        } catch {
          return [k, this.#serve(v, entity, undefined, true)];
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return assemble(fields, new Map(reads));
  }

  #missing(v: VersionedFeatureView, entity: string): FeatureRead {
    return this.#serve(v, entity, undefined, true);
  }
}

function assemble(fields: readonly { name: string; from: FeatureSource }[], reads: ReadonlyMap<string, FeatureRead | undefined>): Enrichment {
  const values: Record<string, FeatureValue> = {};
  const views: Record<string, { entity: string; status: ReadStatus; version: number }> = {};
  for (const f of fields) {
    const r = reads.get(`${f.from.view}\u0000${f.from.entity}`);
    if (!r) continue;
    views[r.view] = { entity: r.entity, status: r.status, version: r.version };
    const v = r.values?.[f.from.feature];
    if (v !== undefined) values[f.name] = v;
  }
  return { values, views };
}
