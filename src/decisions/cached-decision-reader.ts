import { LRUCache } from 'lru-cache';
import type { RedisClientType } from 'redis';
import { EventType, type DecisionData, type NewEvent, type OutcomeData } from '../core/index.js';
import type { EventStore } from '../log/index.js';
import { hashContext } from './context-hash.js';
import { viewFromRow, type DecisionView } from './decision-view.js';

export interface CachedDecisionReaderOptions {
  readonly store: EventStore;
  /** L2. Without it, reads go L1 → store. */
  readonly redis?: RedisClientType<never, never, never, 2 | 3, never> | RedisClientType;
  /** Redis key prefix. Default `apprentice:`. */
  readonly prefix?: string;
  /** L1 entries. Default 50,000. */
  readonly l1Max?: number;
  /**
   * L2 time to live. Default 900 s: Redis holds rate × TTL decisions (a day at 500/s was 43
   * million keys); the outcome of an older decision is joined through the store.
   */
  readonly l2TtlSeconds?: number;
}

export interface ReaderStats {
  readonly l1Hits: number;
  readonly l2Hits: number;
  readonly storeHits: number;
  readonly misses: number;
}

/**
 * The query side (CQRS): an in-process LRU (L1), then Redis (L2), then the event store's
 * projection. `observe()` is wired to the writer so a process reads its own writes at once,
 * before they reach the bus; `cacheEvents()` is wired to the projector to fill L2 for every
 * instance.
 */
export class CachedDecisionReader {
  readonly #store: EventStore;
  readonly #redis: CachedDecisionReaderOptions['redis'];
  readonly #prefix: string;
  readonly #ttl: number;
  readonly #l1: LRUCache<string, DecisionView>;
  readonly #byContext: LRUCache<string, string>;
  #stats = { l1Hits: 0, l2Hits: 0, storeHits: 0, misses: 0 };
  #evicted = { decisions: 0, contexts: 0 };

  constructor(options: CachedDecisionReaderOptions) {
    this.#store = options.store;
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? 'apprentice:';
    this.#ttl = options.l2TtlSeconds ?? 900;
    const max = options.l1Max ?? 50_000;
    this.#l1 = new LRUCache({ max, dispose: (_v, _k, reason) => void (reason === 'evict' && this.#evicted.decisions++) });
    this.#byContext = new LRUCache({ max, dispose: (_v, _k, reason) => void (reason === 'evict' && this.#evicted.contexts++) });
  }

  /** The in-process caches: entries, bound (`l1Max`) and evictions (least recently used first). */
  bounds(): Record<'decisions' | 'contexts', { size: number; capacity: number; evictions: number }> {
    return {
      decisions: { size: this.#l1.size, capacity: this.#l1.max, evictions: this.#evicted.decisions },
      contexts: { size: this.#byContext.size, capacity: this.#byContext.max, evictions: this.#evicted.contexts },
    };
  }

  stats(): ReaderStats {
    return { ...this.#stats };
  }

  /** Synchronous L1 write-through for an event this process recorded. */
  observe(event: NewEvent): void {
    if (event.type === EventType.DecisionMade) {
      const d = event.data as DecisionData;
      this.#l1.set(d.decisionId, { decision: { ...d, decidedAt: event.time } });
      if (d.contextHash) this.#byContext.set(d.contextHash, d.decisionId);
    } else if (event.type === EventType.OutcomeRecorded) {
      const o = event.data as OutcomeData;
      const cached = this.#l1.get(o.decisionId);
      if (cached) this.#l1.set(o.decisionId, { decision: cached.decision, outcome: { ...o, recordedAt: event.time } });
    }
  }

  /** Write stored events to L2 (Redis hashes: field `d` decision, `o` outcome). */
  async cacheEvents(events: readonly NewEvent[]): Promise<void> {
    const redis = this.#redis;
    if (!redis || events.length === 0) return;
    const multi = redis.multi();
    for (const e of events) {
      if (e.type === EventType.DecisionMade) {
        const d = e.data as DecisionData;
        const key = this.#key(d.decisionId);
        multi.hSet(key, 'd', JSON.stringify({ ...d, decidedAt: e.time }));
        multi.expire(key, this.#ttl);
        if (d.contextHash) multi.set(`${this.#prefix}ctx:${d.contextHash}`, d.decisionId, { EX: this.#ttl });
      } else if (e.type === EventType.OutcomeRecorded) {
        const o = e.data as OutcomeData;
        const key = this.#key(o.decisionId);
        multi.hSet(key, 'o', JSON.stringify({ ...o, recordedAt: e.time }));
        multi.expire(key, this.#ttl);
      }
    }
    await multi.execAsPipeline();
  }

  /** The decision and its outcome, or undefined when unknown. */
  async get(decisionId: string): Promise<DecisionView | undefined> {
    const l1 = this.#l1.get(decisionId);
    if (l1) {
      this.#stats.l1Hits++;
      return l1;
    }
    if (this.#redis) {
      try {
        const h = await this.#redis.hGetAll(this.#key(decisionId));
        if (h && typeof h.d === 'string') {
          const view: DecisionView = h.o ? { decision: JSON.parse(h.d), outcome: JSON.parse(h.o) } : { decision: JSON.parse(h.d) };
          this.#stats.l2Hits++;
          this.#l1.set(decisionId, view);
          return view;
        }
      } catch {
        // Redis down: fall through to the store.
      }
    }
    const rows = await this.#store.query('SELECT * FROM decisions_with_outcomes WHERE decision_id = $1::uuid', [decisionId]);
    if (rows.length === 0) {
      this.#stats.misses++;
      return undefined;
    }
    this.#stats.storeHits++;
    const view = viewFromRow(rows[0]!);
    // Only cache settled answers from the store: an outcome may still be on its way.
    if (view.outcome) this.#l1.set(decisionId, view);
    return view;
  }

  /** The latest decision this agent made for an equal context (key order ignored). */
  async getDecision(agent: string, context: unknown): Promise<DecisionView | undefined> {
    const hash = hashContext(agent, context);
    let id = this.#byContext.get(hash);
    if (!id && this.#redis) {
      try {
        id = (await this.#redis.get(`${this.#prefix}ctx:${hash}`)) ?? undefined;
      } catch {
        id = undefined;
      }
    }
    if (id) return this.get(id);
    const rows = await this.#store.query(
      'SELECT * FROM decisions_with_outcomes WHERE agent = $1 AND context_hash = $2 ORDER BY decided_at DESC LIMIT 1',
      [agent, hash],
    );
    if (rows.length === 0) return undefined;
    const view = viewFromRow(rows[0]!);
    this.#byContext.set(hash, view.decision.decisionId);
    return view;
  }

  /** Forget a decision locally (erasure, tests). */
  evict(decisionId: string): void {
    this.#l1.delete(decisionId);
  }

  #key(id: string): string {
    return `${this.#prefix}decision:{${id}}`;
  }
}
