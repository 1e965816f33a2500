import { afterEach, describe, expect, it } from 'vitest';
import { chaosBed, clean, type ChaosBed } from './harness.js';

// Issue 10, cases 3 and 5: PostgreSQL hanging (frozen connections, not refused) and Redis
// unreachable when `serve` starts.
const HEALTH_DEADLINE_MS = 15_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fast = { APPRENTICE_DB_STATEMENT_TIMEOUT_MS: '2000', APPRENTICE_SHUTDOWN_TIMEOUT_MS: '3000' };

describe('chaos: dependencies failing', () => {
  let bed: ChaosBed | undefined;
  afterEach(async () => {
    await bed?.close();
    bed = undefined;
  });

  it('case 3: PostgreSQL frozen — decisions keep being served, health says so, the projector recovers by itself, SIGTERM is bounded', { timeout: 240_000 }, async () => {
    bed = await chaosBed('pgfreeze');
    await bed.start(fast);
    const health = bed.health();
    const load = bed.load();
    try {
      await health.waitFor(['ok'], HEALTH_DEADLINE_MS);
      await sleep(1000);
      bed.pgProxy.freeze();
      await health.waitFor(['degraded', 'down'], HEALTH_DEADLINE_MS, 'detect');
      await sleep(6000);
      bed.pgProxy.restore();
      await health.waitFor(['ok'], 30_000, 'recover');
      await sleep(1000);
    } finally {
      await load.stop();
      health.stop();
    }
    const tally = await bed.settle(load.acknowledged);
    expect(load.acknowledged.length).toBeGreaterThan(20);
    expect(clean(tally), JSON.stringify(tally.lost.slice(0, 5))).toEqual({ lost: 0, duplicated: 0, deadLettered: 0 });
    // Decide never waits on PostgreSQL: no request failed or timed out during the freeze.
    expect([...load.failures]).toEqual([]);

    // SIGTERM while PostgreSQL hangs: the process ends within its shutdown budget (3 s here;
    // the deadline below is generous) and the next start stores what it had acknowledged.
    const second = bed.load();
    await sleep(1000);
    bed.pgProxy.freeze();
    await sleep(500);
    const stopping = bed.server!.stop('SIGTERM');
    const exit = await Promise.race([stopping, sleep(20_000).then(() => 'hung' as const)]);
    await second.stop();
    expect(exit).not.toBe('hung');
    bed.pgProxy.restore();
    await bed.start(fast);
    const after = await bed.settle(second.acknowledged);
    expect(clean(after), JSON.stringify(after.lost.slice(0, 5))).toEqual({ lost: 0, duplicated: 0, deadLettered: 0 });
  });

  it('case 5: serve starts while Redis is unreachable, serves and spools, and connects when Redis comes', { timeout: 180_000 }, async () => {
    bed = await chaosBed('redisdown');
    await bed.redis.kill();
    await bed.start();
    const health = bed.health();
    const load = bed.load();
    try {
      await health.waitFor(['degraded', 'down'], HEALTH_DEADLINE_MS, 'detect');
      await sleep(1500);
      await bed.redis.start();
      await health.waitFor(['ok'], HEALTH_DEADLINE_MS, 'recover');
      await sleep(1000);
    } finally {
      await load.stop();
      health.stop();
    }
    const tally = await bed.settle(load.acknowledged);
    expect(load.acknowledged.length).toBeGreaterThan(20);
    expect(clean(tally), JSON.stringify(tally.lost.slice(0, 5))).toEqual({ lost: 0, duplicated: 0, deadLettered: 0 });
    expect([...load.failures]).toEqual([]);
  });
});
