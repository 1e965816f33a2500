import type { TokenRecord, TokenStore } from './token-store.js';

export interface CachedTokenStoreOptions {
  /** A verified token is trusted from memory this long before the store is asked again, ms. Default 30,000. */
  readonly ttlMs?: number;
  /** An unknown hash is remembered this long (a flood of bad tokens does not reach the store), ms. Default 2,000. */
  readonly negativeTtlMs?: number;
  /**
   * While the store fails, a token verified before keeps working this long past its TTL, ms
   * (auth survives a database outage). Default 15 minutes.
   */
  readonly staleIfErrorMs?: number;
  /** How often the whole token list is re-read: revocations, and the first token ending open mode. Default 2,000 ms. */
  readonly refreshMs?: number;
  /** Told after each refresh whether any usable token exists (open mode ends when one does). */
  readonly onTokens?: (active: number) => void;
  readonly now?: () => number;
}

export interface CachedTokenStore extends TokenStore {
  /** Re-read every token now (revocations, new tokens). Resolves false if the store failed. */
  refresh(): Promise<boolean>;
  /**
   * Change how often the list is re-read. A caller that follows change notifications (PostgreSQL
   * LISTEN) polls slowly while they arrive and falls back to fast polling while they do not.
   */
  setRefreshMs(ms: number): void;
  close(): void;
}

interface Entry {
  readonly record: TokenRecord | undefined;
  readonly at: number;
}

/**
 * A token store with verified tokens cached in memory, so a request with a known token never
 * waits on PostgreSQL (issue 10, case 4). Revocation and new tokens propagate by re-reading
 * the list: on every change notification where the caller follows them (the service LISTENs on
 * `TOKENS_CHANNEL`, fed by a trigger on the tokens table, so a CLI revoke reaches every instance
 * at once, like flags do) and every `refreshMs` as the fallback; a revoke through this store is
 * effective here at once.
 *
 * @example
 * const tokens = createCachedTokenStore(createSqlTokenStore(db), { onTokens: (n) => n > 0 && auth.enforce() });
 */
export function createCachedTokenStore(inner: TokenStore, options: CachedTokenStoreOptions = {}): CachedTokenStore {
  const ttl = options.ttlMs ?? 30_000;
  const negativeTtl = options.negativeTtlMs ?? 2000;
  const staleIfError = options.staleIfErrorMs ?? 15 * 60_000;
  const now = options.now ?? Date.now;
  const byHash = new Map<string, Entry>();

  const active = (records: readonly TokenRecord[]): number =>
    records.filter((t) => t.revokedAt === undefined && (t.expiresAt === undefined || Date.parse(t.expiresAt) > now())).length;

  const refresh = async (): Promise<boolean> => {
    let all: readonly TokenRecord[];
    try {
      all = await inner.list();
    } catch {
      return false;
    }
    const at = now();
    const seen = new Set<string>();
    for (const r of all) {
      seen.add(r.hash);
      if (byHash.has(r.hash)) byHash.set(r.hash, { record: r, at });
    }
    // A cached token that no longer exists (or a negative entry now created) is looked up afresh.
    for (const [hash, e] of byHash) if ((e.record && !seen.has(hash)) || (!e.record && seen.has(hash))) byHash.delete(hash);
    options.onTokens?.(active(all));
    return true;
  };

  let timer: NodeJS.Timeout | undefined;
  const schedule = (ms: number): void => {
    if (timer) clearInterval(timer);
    timer = ms === 0 ? undefined : setInterval(() => void refresh(), ms);
    timer?.unref();
  };
  schedule(options.refreshMs ?? 2000);

  return {
    create: async (record) => {
      const r = await inner.create(record);
      byHash.delete(r.hash);
      options.onTokens?.(1);
      return r;
    },
    list: () => inner.list(),
    revoke: async (id, at) => {
      const done = await inner.revoke(id, at);
      for (const [hash, e] of byHash) if (e.record?.id === id) byHash.delete(hash);
      return done;
    },
    async findByHash(hash) {
      const cached = byHash.get(hash);
      const age = cached ? now() - cached.at : Infinity;
      if (cached && age < (cached.record ? ttl : negativeTtl)) return cached.record;
      try {
        const record = await inner.findByHash(hash);
        byHash.set(hash, { record, at: now() });
        return record;
      } catch (e) {
        // The store is down or hung: a token verified before still works for a while.
        if (cached?.record && age < ttl + staleIfError) return cached.record;
        throw e;
      }
    },
    refresh,
    setRefreshMs: schedule,
    close() {
      if (timer) clearInterval(timer);
    },
  };
}
