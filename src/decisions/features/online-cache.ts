import type { EntityState } from './aggregation.js';
import type { OnlineStore } from './online-store.js';

export interface OnlineCacheOptions {
  /** A store with a change stream (`RedisOnlineStore`). */
  readonly store: OnlineStore;
  /** Entities kept over all views; the least recently read is dropped first. Default 10,000. */
  readonly capacity?: number;
  /**
   * How often every followed change stream is read although no commit was told: the safety poll
   * behind the store's commit notifications (`watch`: a notification lost, a reconnection not
   * seen). Default 5,000 ms; 50 ms for a store that cannot tell commits.
   */
  readonly pollMs?: number;
  /** An entry older than this is served and read again in the background (entities that expired in the store). Default 60,000 ms. */
  readonly maxAgeMs?: number;
  /** Failed reads of the store (the cache keeps what it has and tries again). */
  readonly onError?: (error: unknown) => void;
  readonly now?: () => number;
}

interface Entry {
  /** undefined: the store holds no state for the entity. */
  state: EntityState | undefined;
  at: number;
}

/** Where the cache is in a view version's change stream. */
interface Follow {
  readonly view: string;
  readonly version: number;
  /** Last change id read; undefined until the first read of the stream. */
  after: string | undefined;
  /** The checkpoint (text) after that change; undefined: none seen, any `from` is accepted. */
  to: string | undefined;
}

const SEP = '\u0000';

/**
 * A local read-through cache of a networked online store (Redis), so the synchronous decision
 * path reads feature views without ever waiting for the network: a read is a Map lookup; a miss
 * answers "not cached" at once and fetches the entity in the background for the next decision.
 * Cached entities are kept fresh by following each view's change stream (the commits of the
 * materialiser, whichever instance runs it): the store tells each commit as it is made (Redis
 * pub/sub, `OnlineStore.watch`), and the view's commits since the last one read are fetched and
 * the cached entities they wrote read again (two round trips per view, however many commits came
 * together). Idle, the cache sends nothing but a safety poll every `pollMs` (5 s). A commit whose
 * previous checkpoint is not the last one seen (the stream was trimmed, or Redis lost everything)
 * drops the view's entries: they are fetched again on their next read. After the notification
 * connection comes back (a Redis restart), every stream is read again and a view whose stream is
 * gone (restarted without persistence) is dropped at once, before any rebuild commits. So a cached
 * value is about two round trips behind the store (`pollMs` if a notification was lost), and never
 * older than a value it served before.
 * @example
 * const cache = new OnlineCache({ store: new RedisOnlineStore({ redis }) });
 * cache.start();
 * const reader = new FeatureReader({ online, views, cache });
 */
export class OnlineCache {
  readonly #o: OnlineCacheOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #follows = new Map<string, Follow>();
  /** Entities to fetch (misses and old entries), and those being fetched. */
  readonly #wanted = new Set<string>();
  readonly #inflight = new Set<string>();
  /** Entities written by a commit while they were being fetched: the fetched state may predate it. */
  readonly #dirty = new Set<string>();
  /** Followed view versions told of a commit (or to read again), not read yet. */
  readonly #due = new Set<string>();
  /** Followed view versions whose stream may be gone (read again after a reconnection). */
  readonly #suspect = new Set<string>();
  #fetching: Promise<void> | undefined;
  #refreshing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #watching: Promise<(() => Promise<void>) | undefined> | undefined;
  #evictions = 0;
  readonly stats = {
    hits: 0,
    misses: 0,
    fetched: 0,
    refreshed: 0,
    gaps: 0,
    errors: 0,
    told: 0,
    polls: 0,
    resyncs: 0,
  };

  constructor(options: OnlineCacheOptions) {
    if (!options.store.changes)
      throw new Error(`the ${options.store.kind} online store has no change stream to follow`);
    this.#o = options;
  }

  /** Follow the change streams in the background: told of commits, and a safety poll. */
  start(): void {
    if (this.#timer) return;
    const watch = this.#o.store.watch;
    this.#watching = watch
      ? watch
          .call(
            this.#o.store,
            (view, version) => this.#tell(`${view}${SEP}${version}`),
            () => this.#resync(),
          )
          .catch(() => undefined)
      : Promise.resolve(undefined);
    const pollMs = this.#o.pollMs ?? (watch ? 5000 : 50);
    this.#timer = setInterval(() => {
      this.stats.polls++;
      void this.refresh();
    }, pollMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const unwatch = await this.#watching;
    this.#watching = undefined;
    await unwatch?.();
    await this.#refreshing;
    await this.#fetching;
  }

  /** Entries held, the bound (`capacity`), and entries dropped for it (cumulative). */
  bounds(): { size: number; capacity: number; evictions: number } {
    return { size: this.#entries.size, capacity: this.#o.capacity ?? 10_000, evictions: this.#evictions };
  }

  /**
   * The cached state of an entity (`{ state: undefined }`: cached as absent from the store), or
   * undefined when it is not cached yet: it is then fetched in the background. Never waits.
   */
  peek(
    view: string,
    version: number,
    entity: string,
  ): { readonly state: EntityState | undefined } | undefined {
    const key = `${view}${SEP}${version}${SEP}${entity}`;
    const e = this.#entries.get(key);
    if (!e) {
      this.stats.misses++;
      this.#want(key);
      return undefined;
    }
    this.stats.hits++;
    // Most recently read last: the first key is the one to drop.
    this.#entries.delete(key);
    this.#entries.set(key, e);
    if ((this.#o.now ?? Date.now)() - e.at > (this.#o.maxAgeMs ?? 60_000)) this.#want(key);
    return e;
  }

  #want(key: string): void {
    if (this.#inflight.has(key)) return;
    this.#wanted.add(key);
    if (!this.#fetching)
      this.#fetching = new Promise<void>((r) => setImmediate(r))
        .then(() => this.#fetch())
        .finally(() => (this.#fetching = undefined));
  }

  /** Fetch what was asked for, one round trip per view version (after finding its place in the change stream). */
  async #fetch(): Promise<void> {
    while (this.#wanted.size > 0) {
      const byView = new Map<string, string[]>();
      for (const key of this.#wanted) {
        const at = key.lastIndexOf(SEP);
        const v = key.slice(0, at);
        let list = byView.get(v);
        if (!list) byView.set(v, (list = []));
        list.push(key.slice(at + 1));
        this.#inflight.add(key);
      }
      this.#wanted.clear();
      await Promise.all(
        [...byView].map(async ([v, entities]) => {
          const keys = entities.map((e) => `${v}${SEP}${e}`);
          try {
            const follow = await this.#follow(v);
            const states = await this.#o.store.readMany(follow.view, follow.version, entities);
            const now = (this.#o.now ?? Date.now)();
            for (let i = 0; i < entities.length; i++) {
              const key = keys[i]!;
              this.#inflight.delete(key);
              // Written by a commit while in flight: this state may predate it; fetch again.
              if (this.#dirty.delete(key)) this.#wanted.add(key);
              else this.#set(key, { state: states.get(entities[i]!), at: now });
            }
            this.stats.fetched += entities.length;
          } catch (e) {
            for (const key of keys) {
              this.#inflight.delete(key);
              this.#dirty.delete(key);
            }
            this.stats.errors++;
            this.#o.onError?.(e);
          }
        }),
      );
    }
  }

  /** The view version's place in its change stream: found (the newest change) before its first fetch. */
  async #follow(v: string): Promise<Follow> {
    let f = this.#follows.get(v);
    if (f) return f;
    const at = v.indexOf(SEP);
    const view = v.slice(0, at);
    const version = Number(v.slice(at + 1));
    const [newest] = await this.#o.store.changes!(view, version, undefined, 1);
    f = this.#follows.get(v);
    if (f) return f;
    f = { view, version, after: newest?.id ?? '0-0', to: newest?.to };
    this.#follows.set(v, f);
    return f;
  }

  #set(key: string, e: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, e);
    if (this.#entries.size > (this.#o.capacity ?? 10_000)) {
      this.#entries.delete(this.#entries.keys().next().value!);
      this.#evictions++;
    }
  }

  /** The store told a commit of a view version: read its stream (if followed). */
  #tell(v: string): void {
    this.stats.told++;
    if (!this.#timer || !this.#follows.has(v)) return;
    this.#due.add(v);
    this.#kick();
  }

  /** Listening again (or for the first time): commits meanwhile were not told, and Redis may have restarted empty. */
  #resync(): void {
    if (!this.#timer) return;
    this.stats.resyncs++;
    for (const v of this.#follows.keys()) {
      this.#suspect.add(v);
      this.#due.add(v);
    }
    this.#kick();
  }

  /** Read every followed view's new commits and refresh the cached entities they wrote. */
  refresh(): Promise<void> {
    for (const v of this.#follows.keys()) this.#due.add(v);
    return this.#kick();
  }

  /** Read the due views' streams now, or after the reads in hand. */
  #kick(): Promise<void> {
    this.#refreshing ??= new Promise<void>((r) => setImmediate(r))
      .then(() => this.#drain())
      .finally(() => {
        this.#refreshing = undefined;
        // Told between the last read and here.
        if (this.#due.size > 0 && this.#timer) void this.#kick();
      });
    return this.#refreshing;
  }

  async #drain(): Promise<void> {
    while (this.#due.size > 0) {
      const due = [...this.#due];
      this.#due.clear();
      await Promise.all(due.map((v) => this.#refresh(v, this.#follows.get(v))));
    }
  }

  /** Drop every entry of a view version: nothing cached of it can be trusted. */
  #drop(v: string): void {
    this.stats.gaps++;
    for (const key of [...this.#entries.keys()]) if (key.startsWith(`${v}${SEP}`)) this.#entries.delete(key);
    for (const key of this.#inflight) if (key.startsWith(`${v}${SEP}`)) this.#dirty.add(key);
  }

  async #refresh(v: string, f: Follow | undefined): Promise<void> {
    if (!f) return;
    try {
      if (this.#suspect.delete(v) && f.to !== undefined) {
        const [newest] = await this.#o.store.changes!(f.view, f.version, undefined, 1);
        if (!newest) {
          // The stream is gone (a Redis restarted without persistence): so are the states.
          this.#drop(v);
          f.after = '0-0';
          f.to = undefined;
          return;
        }
      }
      const stale = new Set<string>();
      for (;;) {
        const changes = await this.#o.store.changes!(f.view, f.version, f.after, 1000);
        for (const c of changes) {
          if (f.to !== undefined && c.from !== f.to) {
            // Commits were missed: nothing cached of this view can be trusted.
            this.#drop(v);
            stale.clear();
          } else
            for (const entity of c.entities) {
              const key = `${v}${SEP}${entity}`;
              if (this.#entries.has(key)) stale.add(entity);
              else if (this.#inflight.has(key)) this.#dirty.add(key);
            }
          f.after = c.id;
          f.to = c.to;
        }
        if (changes.length < 1000) break;
      }
      if (stale.size === 0) return;
      const entities = [...stale];
      let states: Map<string, EntityState>;
      try {
        states = await this.#o.store.readMany(f.view, f.version, entities);
      } catch (e) {
        // Their new state is unknown: drop them (fetched again on their next read).
        for (const entity of entities) this.#entries.delete(`${v}${SEP}${entity}`);
        throw e;
      }
      const now = (this.#o.now ?? Date.now)();
      for (const entity of entities) {
        const key = `${v}${SEP}${entity}`;
        // Dropped meanwhile (evicted, or a gap): it is fetched again on its next read.
        const e = this.#entries.get(key);
        if (e) [e.state, e.at] = [states.get(entity), now];
      }
      this.stats.refreshed += entities.length;
    } catch (e) {
      this.stats.errors++;
      this.#o.onError?.(e);
    }
  }
}
