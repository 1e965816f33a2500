import { describe, expect, it } from 'vitest';
import { createCachedTokenStore } from './cached-token-store.js';
import { createMemoryTokenStore } from './memory-token-store.js';
import type { TokenStore } from './token-store.js';
import { issueToken } from './authenticate.js';
import { hashToken } from './tokens.js';

/** A token store whose database can be switched off. */
function flaky(inner: TokenStore): TokenStore & { down: boolean; calls: number } {
  const s = {
    down: false,
    calls: 0,
    create: (r: Parameters<TokenStore['create']>[0]) => inner.create(r),
    list: async () => {
      s.calls++;
      if (s.down) throw new Error('database down');
      return inner.list();
    },
    revoke: (id: string, at: string) => inner.revoke(id, at),
    findByHash: async (h: string) => {
      s.calls++;
      if (s.down) throw new Error('database down');
      return inner.findByHash(h);
    },
  };
  return s;
}

describe('createCachedTokenStore', () => {
  it('serves a verified token from memory within its TTL, and past it while the store fails', async () => {
    let now = 1_000_000;
    const db = flaky(createMemoryTokenStore());
    const { token } = await issueToken(db, { name: 'ci', role: 'operator' });
    const cache = createCachedTokenStore(db, { ttlMs: 1000, staleIfErrorMs: 10_000, refreshMs: 0, now: () => now });
    expect((await cache.findByHash(hashToken(token)))?.name).toBe('ci');
    const calls = db.calls;
    expect((await cache.findByHash(hashToken(token)))?.name).toBe('ci');
    expect(db.calls).toBe(calls); // from memory
    db.down = true;
    now += 5000; // past the TTL, within stale-if-error
    expect((await cache.findByHash(hashToken(token)))?.name).toBe('ci');
    now += 20_000; // past both: the outage shows
    await expect(cache.findByHash(hashToken(token))).rejects.toThrow(/database down/);
    // A token never verified before cannot be trusted during the outage.
    await expect(cache.findByHash(hashToken('apr_' + 'x'.repeat(43)))).rejects.toThrow(/database down/);
  });

  it('a refresh propagates revocation made elsewhere and reports the usable tokens', async () => {
    const db = createMemoryTokenStore();
    const { token, record } = await issueToken(db, { name: 'ci', role: 'operator' });
    const seen: number[] = [];
    const cache = createCachedTokenStore(db, { ttlMs: 60_000, refreshMs: 0, onTokens: (n) => seen.push(n) });
    expect((await cache.findByHash(hashToken(token)))?.revokedAt).toBeUndefined();
    await db.revoke(record.id, new Date().toISOString()); // another instance, or the CLI
    expect(await cache.refresh()).toBe(true);
    expect((await cache.findByHash(hashToken(token)))?.revokedAt).toBeDefined();
    expect(seen).toEqual([0]);
  });
});
