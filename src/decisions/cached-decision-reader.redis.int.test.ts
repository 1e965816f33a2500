import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { EventType, type DecisionData, type NewEvent } from '../core/index.js';
import type { EventStore } from '../log/index.js';
import { deleteKeys } from '../log/bus/testing/redis-keys.js';
import { REDIS_URL, testPrefix } from '../../test/support/services.js';
import { CachedDecisionReader } from './cached-decision-reader.js';
import { hashContext } from './context-hash.js';

// The reader's L2 against the shared Redis (its own key prefix): what cacheEvents() writes
// (keys, fields, time to live), what another instance then reads from it (decision and
// outcome, by id and by context), and a Redis that fails (a closed client): reads fall
// through to the store. The store is a stand-in answering the reader's two queries.

const T = '2025-04-01T10:00:00.000Z';
const T2 = '2025-04-01T11:00:00.000Z';
const data = (id: string, context: unknown = { files: id.length }): DecisionData =>
  ({ decisionId: id, agent: 'triage', unitId: `u-${id}`, value: 'low', deterministic: 'low', source: 'deterministic', reason: 'RULES', variant: 'deterministic', propensity: 1, latencyMs: 1, context, contextHash: hashContext('triage', context) }) as DecisionData;
const made = (d: DecisionData, time = T): NewEvent => ({ id: `e-${d.decisionId}`, type: EventType.DecisionMade, stream: `decision-${d.decisionId}`, data: d, metadata: {}, time });
const outcome = (decisionId: string, time = T2): NewEvent => ({ id: `o-${decisionId}`, type: EventType.OutcomeRecorded, stream: `decision-${decisionId}`, data: { decisionId, label: 'high', kind: 'explicit' }, metadata: {}, time });

/** A store stand-in with no rows, recording every query. */
function emptyStore() {
  const queries: string[] = [];
  const store = {
    query: async (sql: string) => {
      queries.push(sql.includes('context_hash') ? 'by context' : 'by id');
      return [];
    },
  } as unknown as EventStore;
  return { store, queries };
}

let redis: RedisClientType;
const prefix = testPrefix('reader');

beforeAll(async () => {
  redis = createClient({ url: REDIS_URL });
  await redis.connect();
});
afterAll(async () => {
  await deleteKeys(REDIS_URL, prefix);
  redis.destroy();
});

describe('CachedDecisionReader with Redis (L2)', () => {
  it('cacheEvents writes a hash per decision (d, then o) and the context index, each with the time to live', async () => {
    const { store } = emptyStore();
    const reader = new CachedDecisionReader({ store, redis, prefix, l2TtlSeconds: 600 });
    const d = data('w1', { files: 3 });
    await reader.cacheEvents([made(d), outcome('w1'), { ...made(data('x')), type: 'SomethingElse' } as NewEvent]);
    const key = `${prefix}decision:{w1}`;
    expect(await redis.hGetAll(key)).toEqual({
      d: JSON.stringify({ ...d, decidedAt: T }),
      o: JSON.stringify({ decisionId: 'w1', label: 'high', kind: 'explicit', recordedAt: T2 }),
    });
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
    const ctx = `${prefix}ctx:${d.contextHash}`;
    expect(await redis.get(ctx)).toBe('w1');
    expect(await redis.ttl(ctx)).toBeGreaterThan(590);
    // The unknown event type wrote nothing.
    expect(await redis.exists(`${prefix}decision:{x}`)).toBe(0);
  });

  it('a decision without a context hash is cached by id only: no context index entry', async () => {
    const reader = new CachedDecisionReader({ store: emptyStore().store, redis, prefix });
    await reader.cacheEvents([made({ ...data('nohash'), contextHash: undefined } as unknown as DecisionData)]);
    expect(await redis.exists(`${prefix}decision:{nohash}`)).toBe(1);
    expect(await redis.exists(`${prefix}ctx:undefined`)).toBe(0);
  });

  it('the default time to live is 15 minutes (Redis holds rate × TTL decisions); the default prefix is apprentice:', async () => {
    const { store } = emptyStore();
    const id = `ttl-${prefix.slice(-9, -1)}`;
    const reader = new CachedDecisionReader({ store, redis });
    await reader.cacheEvents([made({ ...data(id), contextHash: undefined } as unknown as DecisionData)]);
    const key = `apprentice:decision:{${id}}`;
    try {
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(890);
      expect(ttl).toBeLessThanOrEqual(900);
    } finally {
      await redis.del(key);
    }
  });

  it('another instance reads a decision and its outcome from L2, then from its own L1', async () => {
    const writer = new CachedDecisionReader({ store: emptyStore().store, redis, prefix });
    const d = data('r1');
    await writer.cacheEvents([made(d), outcome('r1')]);
    const { store, queries } = emptyStore();
    const reader = new CachedDecisionReader({ store, redis, prefix });
    const expected = { decision: { ...d, decidedAt: T }, outcome: { decisionId: 'r1', label: 'high', kind: 'explicit', recordedAt: T2 } };
    expect(await reader.get('r1')).toEqual(expected);
    expect(await reader.get('r1')).toEqual(expected);
    expect(reader.stats()).toEqual({ l1Hits: 1, l2Hits: 1, storeHits: 0, misses: 0 });
    expect(queries).toEqual([]);
  });

  it('a decision without its outcome yet is read from L2 with no outcome key', async () => {
    const writer = new CachedDecisionReader({ store: emptyStore().store, redis, prefix });
    await writer.cacheEvents([made(data('r2'))]);
    const view = await new CachedDecisionReader({ store: emptyStore().store, redis, prefix }).get('r2');
    expect(view).toEqual({ decision: { ...data('r2'), decidedAt: T } });
    expect(view).not.toHaveProperty('outcome');
  });

  it('an outcome cached before its decision is no L2 hit: the store is asked', async () => {
    const writer = new CachedDecisionReader({ store: emptyStore().store, redis, prefix });
    await writer.cacheEvents([outcome('r3')]);
    const { store, queries } = emptyStore();
    const reader = new CachedDecisionReader({ store, redis, prefix });
    expect(await reader.get('r3')).toBeUndefined();
    expect(queries).toEqual(['by id']);
    expect(reader.stats()).toEqual({ l1Hits: 0, l2Hits: 0, storeHits: 0, misses: 1 });
  });

  it('getDecision finds an equal context through the L2 index, without the store', async () => {
    const context = { files: 4, repo: 'a' };
    const writer = new CachedDecisionReader({ store: emptyStore().store, redis, prefix });
    await writer.cacheEvents([made(data('c1', context))]);
    const { store, queries } = emptyStore();
    const reader = new CachedDecisionReader({ store, redis, prefix });
    expect((await reader.getDecision('triage', { repo: 'a', files: 4 }))?.decision.decisionId).toBe('c1');
    expect(queries).toEqual([]);
    expect(await reader.getDecision('triage', { files: 5 })).toBeUndefined();
    expect(queries).toEqual(['by context']);
  });

  it('cacheEvents of nothing sends nothing', async () => {
    const reader = new CachedDecisionReader({ store: emptyStore().store, redis, prefix: `${prefix}empty:` });
    await reader.cacheEvents([]);
    expect(await deleteKeys(REDIS_URL, `${prefix}empty:`)).toBe(0);
  });

  it('a Redis that fails (closed client): get and getDecision fall through to the store', async () => {
    const broken: RedisClientType = createClient({ url: REDIS_URL });
    await broken.connect();
    broken.destroy();
    const { store, queries } = emptyStore();
    const reader = new CachedDecisionReader({ store, redis: broken, prefix });
    expect(await reader.get('r1')).toBeUndefined();
    expect(await reader.getDecision('triage', { files: 4, repo: 'a' })).toBeUndefined();
    expect(queries).toEqual(['by id', 'by context']);
    expect(reader.stats()).toEqual({ l1Hits: 0, l2Hits: 0, storeHits: 0, misses: 1 });
  });
});
