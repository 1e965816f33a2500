import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../../../test/support/poll-until.js';
import { testPrefix } from '../../../test/support/services.js';
import { privateRedis, type PrivateRedis } from '../../log/bus/testing/private-redis.js';
import { parseAgentDefinition } from '../agents/agent-definition.js';
import { applyInput, emptyState, readFeatures, type EntityState } from './aggregation.js';
import { FeatureReader } from './feature-reader.js';
import { parseFeatureView, type VersionedFeatureView } from './feature-view.js';
import type { FeatureViewRegistry } from './feature-view-registry.js';
import { OnlineCache } from './online-cache.js';
import type { ViewCheckpoint } from './online-store.js';
import { RedisOnlineStore } from './redis-online-store.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const view: VersionedFeatureView = {
  ...parseFeatureView({ name: 'author-activity', entity: 'author', entityPath: 'context.author', source: { events: 'decisions' }, features: [{ name: 'decisions_1d', aggregation: 'count', window: '1d' }] }),
  version: 1,
  updatedAt: new Date(NOW).toISOString(),
};

/** A state whose `decisions_1d` is `n` as of NOW. */
function stateOf(entity: string, n: number): EntityState {
  const s = emptyState();
  for (let i = 0; i < n; i++) applyInput(view, s, { entity, time: NOW - 60_000 - i, seq: i, data: {} });
  return s;
}
const count = (hit: { state: EntityState | undefined } | undefined): number | undefined => (hit ? (readFeatures(view, hit.state, NOW)['decisions_1d'] as number) : undefined);

// Issue 13: the synchronous decide() in server mode reads a local cache of the Redis online
// store, kept fresh by the views' change streams; it never waits for Redis.
describe('OnlineCache: a local cache of the Redis online store, fresh from its change stream (private redis-server)', () => {
  let redis: PrivateRedis;
  let client: ReturnType<typeof createClient>;
  let store: RedisOnlineStore;
  let cache: OnlineCache;
  let cp: ViewCheckpoint | undefined;
  let n = 0;

  /** A materialiser's commit: the entities' new states and the next checkpoint. */
  async function commit(states: Record<string, number>): Promise<void> {
    const to: ViewCheckpoint = { cursor: `1-${++n}`, live: true, applied: n, at: NOW };
    await store.commit(view.name, view.version, new Map(Object.entries(states).map(([e, k]) => [e, stateOf(e, k)])), 3600, cp, to);
    cp = to;
  }

  beforeAll(async () => {
    redis = await privateRedis();
    await redis.start();
    client = createClient({ url: redis.url, socket: { reconnectStrategy: 20 } });
    client.on('error', () => undefined);
    await client.connect();
    store = new RedisOnlineStore({ redis: client, prefix: testPrefix('fvcache') });
    cache = new OnlineCache({ store, pollMs: 60_000, now: () => NOW });
    cache.start();
  });
  afterAll(async () => {
    await cache?.stop();
    await client?.disconnect().catch(() => undefined);
    await redis?.kill();
  });

  it('a miss answers at once and is fetched in the background; a commit reaches the cached entity, and only it', async () => {
    await commit({ anna: 1, bartek: 1 });
    expect(cache.peek(view.name, view.version, 'anna')).toBeUndefined();
    expect(cache.peek(view.name, view.version, 'nobody')).toBeUndefined();
    expect(await pollUntil(() => count(cache.peek(view.name, view.version, 'anna')), { timeoutMs: 5000, message: 'anna fetched into the cache' })).toBe(1);
    // An entity the store does not hold is cached as absent (count 0), not asked again each read.
    await pollUntil(() => cache.peek(view.name, view.version, 'nobody'), { timeoutMs: 5000, message: 'nobody cached as absent' });
    expect(cache.peek(view.name, view.version, 'nobody')?.state).toBeUndefined();
    const before = { ...cache.stats };
    await commit({ anna: 2, bartek: 2, celina: 2 });
    expect(await pollUntil(() => count(cache.peek(view.name, view.version, 'anna')) === 2 || undefined, { timeoutMs: 5000, message: 'the commit to reach the cached anna' })).toBe(true);
    // Only the cached entity the commit wrote was read again; bartek and celina were never asked for.
    expect(cache.stats.refreshed - before.refreshed).toBe(1);
    expect(cache.bounds().size).toBe(2);
  });

  it('served values never go back while commits stream in, and end at the last one', async () => {
    const seen: number[] = [];
    for (let k = 3; k <= 40; k++) {
      await commit({ anna: k });
      seen.push(count(cache.peek(view.name, view.version, 'anna'))!);
      await new Promise((r) => setTimeout(r, k % 4));
    }
    await pollUntil(() => count(cache.peek(view.name, view.version, 'anna')) === 40 || undefined, { timeoutMs: 5000, message: 'the last commit in the cache' });
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen.at(-1)).toBeGreaterThan(2);
  });

  it('the synchronous reader serves view fields from the cache, fresh', async () => {
    const def = parseAgentDefinition({
      name: 'code-reviewer',
      kind: 'classification',
      labels: ['approve', 'reject'],
      features: [{ name: 'authorDecisions', type: 'numeric', from: { view: view.name, feature: 'decisions_1d', entity: 'author' } }],
    });
    const views = { get: (name: string) => (name === view.name ? view : undefined), list: () => [view] } as unknown as FeatureViewRegistry;
    const reader = new FeatureReader({ online: store, views, cache, live: () => true, now: () => NOW });
    expect(reader.enrichSync(def, { author: 'anna' })).toEqual({ values: { authorDecisions: 40 }, views: { [view.name]: { entity: 'anna', status: 'fresh', version: view.version } } });
    // Not cached yet: answered at once by the loss policy (no values served before: missing), fetched for the next decision.
    expect(reader.enrichSync(def, { author: 'bartek' })).toEqual({ values: {}, views: { [view.name]: { entity: 'bartek', status: 'missing', version: view.version } } });
    await pollUntil(() => reader.enrichSync(def, { author: 'bartek' })?.views[view.name]?.status === 'fresh' || undefined, { timeoutMs: 5000, message: 'bartek served fresh' });
    expect(reader.enrichSync(def, { author: 'bartek' })?.values).toEqual({ authorDecisions: 2 });
  });

  it('Redis down: reads answer from the cache at once; Redis back empty and rebuilt: the lost entries are dropped, then fresh again', async () => {
    await redis.kill();
    // No waiting on a dead Redis: the cached value, synchronously.
    expect(count(cache.peek(view.name, view.version, 'anna'))).toBe(40);
    await redis.start();
    await pollUntil(async () => (await client.ping().catch(() => undefined)) === 'PONG' || undefined, { timeoutMs: 10_000, message: 'the client to reconnect' });
    // The materialiser rebuilds from the log into the empty store: a commit from no checkpoint.
    cp = undefined;
    await commit({ anna: 5 });
    expect(await pollUntil(() => count(cache.peek(view.name, view.version, 'anna')) === 5 || undefined, { timeoutMs: 10_000, message: 'the rebuilt anna in the cache' })).toBe(true);
    expect(cache.stats.gaps).toBeGreaterThanOrEqual(1);
    // bartek was cached (2) and the rebuild has not written it yet: the store no longer holds it, nor does the cache.
    expect(await pollUntil(() => count(cache.peek(view.name, view.version, 'bartek')) === 0 || undefined, { timeoutMs: 10_000, message: 'the lost bartek dropped from the cache' })).toBe(true);
  });
});
