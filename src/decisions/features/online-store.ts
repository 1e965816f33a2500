import { ConflictError } from '../../core/index.js';
import { cloneState, type EntityState } from './aggregation.js';

/**
 * Where a view version's materialisation stands, stored with its state (atomically with it):
 * the log cursor after the last applied event, and whether the view has caught up with the log
 * since it was (re)built (`live`), or is still backfilling.
 */
export interface ViewCheckpoint {
  /** `formatCursor` of the last applied position. */
  readonly cursor: string;
  readonly live: boolean;
  /** Inputs applied since the (re)build started. */
  readonly applied: number;
  /** Epoch ms of the last commit. */
  readonly at: number;
}

/** One commit of a view version's states (`OnlineStore.changes`). */
export interface ViewChange {
  /** Position in the view's change stream. */
  readonly id: string;
  /** The checkpoint before and after, as stored text ('' for none). */
  readonly from: string;
  readonly to: string;
  readonly entities: readonly string[];
}

/**
 * The online feature store port: per view version, one state per entity plus the checkpoint,
 * written together or not at all. Two adapters: `MemoryOnlineStore` (embedded, in-process)
 * and `RedisOnlineStore` (server mode: a hash per entity with a TTL).
 */
export interface OnlineStore {
  readonly kind: 'memory' | 'redis';
  /** One entity's state, or undefined (never seen, or expired). */
  read(view: string, version: number, entity: string): Promise<EntityState | undefined>;
  /** Synchronous read, for the synchronous decision path (in-process adapters only). */
  readSync?(view: string, version: number, entity: string): EntityState | undefined;
  readMany(view: string, version: number, entities: readonly string[]): Promise<Map<string, EntityState>>;
  checkpoint(view: string, version: number): Promise<ViewCheckpoint | undefined>;
  /**
   * Write the states and move the checkpoint from `from` (undefined: none yet) to `to`, atomically.
   * A `ConflictError` when the stored checkpoint is no longer `from` (another materialiser moved
   * it, or the store lost everything): nothing is written.
   */
  commit(view: string, version: number, states: ReadonlyMap<string, EntityState>, ttlSeconds: number, from: ViewCheckpoint | undefined, to: ViewCheckpoint): Promise<void>;
  /** Number of entities held for a view version. */
  size(view: string, version: number): Promise<number>;
  /**
   * The commits after change `after`, oldest first, at most `count` (stores read over a network,
   * so that a local cache can follow them: `OnlineCache`). `after` undefined: only the newest
   * commit, to start from. Each commit names the checkpoint it moved from and to, so a reader
   * that sees `from` differ from the `to` it saw last knows it missed some (trimmed, or lost).
   */
  changes?(view: string, version: number, after: string | undefined, count: number): Promise<ViewChange[]>;
  /**
   * Be told of each commit as it is made (by any instance), so a cache follows the change
   * streams without polling them: `onCommit(view, version)` per commit (a wake-up: `changes`
   * says what changed), `onReconnect()` once listening and whenever it listens again after a
   * lost connection (commits meanwhile were not told). Resolves to the disposer, or undefined
   * when the store cannot tell commits.
   */
  watch?(onCommit: (view: string, version: number) => void, onReconnect: () => void): Promise<(() => Promise<void>) | undefined>;
  close(): Promise<void>;
}

export const sameCheckpoint = (a: ViewCheckpoint | undefined, b: ViewCheckpoint | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a.cursor === b.cursor && a.live === b.live && a.applied === b.applied && a.at === b.at;

/**
 * In-process online store (embedded mode): a Map per view version, expiring entities by TTL on
 * read. Reads are synchronous: a decision enriches without any I/O.
 */
export class MemoryOnlineStore implements OnlineStore {
  readonly kind = 'memory';
  readonly #views = new Map<string, { checkpoint: ViewCheckpoint | undefined; entities: Map<string, { state: EntityState; expires: number }> }>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  #view(view: string, version: number) {
    const key = `${view}\u0000${version}`;
    let v = this.#views.get(key);
    if (!v) this.#views.set(key, (v = { checkpoint: undefined, entities: new Map() }));
    return v;
  }

  readSync(view: string, version: number, entity: string): EntityState | undefined {
    const held = this.#views.get(`${view}\u0000${version}`)?.entities.get(entity);
    if (!held) return undefined;
    if (held.expires <= this.#now()) {
      this.#views.get(`${view}\u0000${version}`)!.entities.delete(entity);
      return undefined;
    }
    return held.state;
  }

  async read(view: string, version: number, entity: string): Promise<EntityState | undefined> {
    return this.readSync(view, version, entity);
  }

  async readMany(view: string, version: number, entities: readonly string[]): Promise<Map<string, EntityState>> {
    const out = new Map<string, EntityState>();
    for (const e of entities) {
      const s = this.readSync(view, version, e);
      // A copy: the materialiser mutates what it reads, and commits or drops it.
      if (s) out.set(e, cloneState(s));
    }
    return out;
  }

  async checkpoint(view: string, version: number): Promise<ViewCheckpoint | undefined> {
    return this.#views.get(`${view}\u0000${version}`)?.checkpoint;
  }

  async commit(view: string, version: number, states: ReadonlyMap<string, EntityState>, ttlSeconds: number, from: ViewCheckpoint | undefined, to: ViewCheckpoint): Promise<void> {
    const v = this.#view(view, version);
    if (!sameCheckpoint(v.checkpoint, from)) throw new ConflictError(`feature view ${view} v${version}: checkpoint moved`);
    const expires = this.#now() + ttlSeconds * 1000;
    for (const [entity, state] of states) v.entities.set(entity, { state, expires });
    v.checkpoint = to;
  }

  async size(view: string, version: number): Promise<number> {
    return this.#views.get(`${view}\u0000${version}`)?.entities.size ?? 0;
  }

  /** Forget everything (what a Redis restarted without persistence does; tests). */
  clear(): void {
    this.#views.clear();
  }

  async close(): Promise<void> {}
}
