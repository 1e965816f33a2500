import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../../../test/support/poll-until.js';
import { testPrefix } from '../../../test/support/services.js';
import { privateRedis, type PrivateRedis } from '../../log/bus/testing/private-redis.js';
import { applyInput, emptyState, readFeatures, type EntityState } from './aggregation.js';
import { parseFeatureView, type VersionedFeatureView } from './feature-view.js';
import { OnlineCache } from './online-cache.js';
import type { ViewCheckpoint } from './online-store.js';
import { RedisOnlineStore } from './redis-online-store.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const VIEWS = 8;
const viewOf = (i: number): VersionedFeatureView => ({
  ...parseFeatureView({ name: `activity-${i}`, entity: 'author', entityPath: 'context.author', source: { events: 'decisions' }, features: [{ name: 'decisions_1d', aggregation: 'count', window: '1d' }] }),
  version: 1,
  updatedAt: new Date(NOW).toISOString(),
});
const views = Array.from({ length: VIEWS }, (_, i) => viewOf(i));
const view = views[0]!;

function stateOf(entity: string, n: number): EntityState {
  const s = emptyState();
  for (let i = 0; i < n; i++) applyInput(view, s, { entity, time: NOW - 60_000 - i, seq: i, data: {} });
  return s;
}
const count = (hit: { state: EntityState | undefined } | undefined): number | undefined => (hit ? (readFeatures(view, hit.state, NOW)['decisions_1d'] as number) : undefined);

type Client = ReturnType<typeof createClient>;

/** Calls per command since the last CONFIG RESETSTAT (INFO commandstats), without the counting commands themselves. */
async function commandCalls(admin: Client): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await admin.info('commandstats')).split('\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (m && !['info', 'config|resetstat'].includes(m[1]!)) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

// Issue 13: the cache of the Redis online store is told of commits (pub/sub from the commit
// script) instead of polling each view's change stream every 50 ms; a slow safety poll and a
// resync after each reconnection cover lost notifications and a Redis restarted empty.
describe('OnlineCache told of commits over Redis pub/sub (private redis-server)', () => {
  let redis: PrivateRedis;
  const clients: Client[] = [];
  let admin: Client;
  /** This instance's caches (safety poll 1.5 s, and one that never polls within a test), and another instance's store (the materialiser elsewhere). */
  let idle: OnlineCache;
  let cache: OnlineCache;
  let other: RedisOnlineStore;
  const cps = new Map<string, ViewCheckpoint | undefined>();
  let n = 0;

  async function connect(): Promise<Client> {
    const c = createClient({ url: redis.url, socket: { reconnectStrategy: 20 } });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  }

  /** A commit by the other instance. */
  async function commit(v: VersionedFeatureView, states: Record<string, number>): Promise<void> {
    const to: ViewCheckpoint = { cursor: `1-${++n}`, live: true, applied: n, at: NOW };
    await other.commit(v.name, v.version, new Map(Object.entries(states).map(([e, k]) => [e, stateOf(e, k)])), 3600, cps.get(v.name), to);
    cps.set(v.name, to);
  }

  beforeAll(async () => {
    redis = await privateRedis();
    await redis.start();
    const prefix = testPrefix('fvpush');
    admin = await connect();
    other = new RedisOnlineStore({ redis: await connect(), prefix });
    for (const v of views) await commit(v, { anna: 1 });
    const store = new RedisOnlineStore({ redis: await connect(), prefix });
    idle = new OnlineCache({ store, pollMs: 1500, now: () => NOW });
    idle.start();
    cache = new OnlineCache({ store, pollMs: 60_000, now: () => NOW });
    cache.start();
  });
  afterAll(async () => {
    await idle?.stop();
    await cache?.stop();
    for (const c of clients) await c.disconnect().catch(() => undefined);
    await redis?.kill();
  });

  it('idle, the cache sends Redis nothing but its safety poll, however many views it follows', async () => {
    for (const v of views) idle.peek(v.name, v.version, 'anna');
    await pollUntil(() => views.every((v) => idle.peek(v.name, v.version, 'anna')) || undefined, { timeoutMs: 5000, message: 'every view cached' });
    const polls = idle.stats.polls;
    await admin.configResetStat();
    await new Promise((r) => setTimeout(r, 2000));
    const calls = await commandCalls(admin);
    const safety = idle.stats.polls - polls;
    // A 50 ms poll would have read each of the 8 streams ~40 times (320 XRANGE); the 1.5 s safety
    // poll fires at most twice, one stream read per view (plus one poll begun before the reset).
    expect(safety).toBeLessThanOrEqual(2);
    expect(calls.get('xrange') ?? 0).toBeLessThanOrEqual((safety + 1) * VIEWS);
    expect([...calls.keys()].filter((c) => c !== 'xrange')).toEqual([]);
  });

  it("another instance's commit reaches the cached entity within a bounded time, told, not polled", async () => {
    const told = cache.stats.told;
    const polls = cache.stats.polls;
    cache.peek(view.name, view.version, 'anna');
    await pollUntil(() => cache.peek(view.name, view.version, 'anna'), { timeoutMs: 5000, message: 'anna cached' });
    await commit(view, { anna: 7 });
    // Bounded by the deadline; the safety poll (60 s) never ran, so the commit was told.
    expect(await pollUntil(() => count(cache.peek(view.name, view.version, 'anna')) === 7 || undefined, { timeoutMs: 10_000, message: 'the commit in the cache' })).toBe(true);
    expect(cache.stats.told).toBeGreaterThan(told);
    expect(cache.stats.polls).toBe(polls);
  });

  it('a Redis restarted without persistence: the cache drops what Redis lost without waiting for a rebuild, then follows the new commits', async () => {
    expect(count(cache.peek(view.name, view.version, 'anna'))).toBe(7);
    const resyncs = cache.stats.resyncs;
    await redis.kill();
    await redis.start();
    // No commit yet: the resync after the reconnection finds the stream gone and drops the view (read again: absent).
    await pollUntil(() => cache.stats.resyncs > resyncs || undefined, { timeoutMs: 10_000, message: 'the subscriber to reconnect and resync' });
    expect(await pollUntil(() => count(cache.peek(view.name, view.version, 'anna')) === 0 || undefined, { timeoutMs: 10_000, message: 'anna dropped as Redis lost it' })).toBe(true);
    // The materialiser rebuilds from the log: a commit from no checkpoint, told again.
    await pollUntil(async () => (await clients[1]!.ping().catch(() => undefined)) === 'PONG' || undefined, { timeoutMs: 10_000, message: 'the other instance to reconnect' });
    cps.clear();
    const polls = cache.stats.polls;
    await commit(view, { anna: 3 });
    expect(await pollUntil(() => count(cache.peek(view.name, view.version, 'anna')) === 3 || undefined, { timeoutMs: 10_000, message: 'the rebuilt anna in the cache, told' })).toBe(true);
    expect(cache.stats.polls).toBe(polls);
  });
});
