import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, testPrefix } from '../../../test/support/services.js';
import { pollUntil } from '../../../test/support/poll-until.js';
import { createRedisBus } from '../bus/redis-bus.js';
import type { LearningBus } from '../bus/learning-bus.js';
import { createPgliteEventStore } from '../events/pglite-event-store.js';
import { decisionEvent } from '../events/testing/fixtures.js';
import type { SqlEventStore } from '../events/sql-event-store.js';
import { Projector } from './projector.js';

const event = (i: number) => decisionEvent({ agent: 'triage', unitId: `u-${i}` });

// Soak finding (2026-12-04): nothing trimmed the bus, so the stream held every event ever
// published: Redis memory in server mode, the in-process bus's heap in embedded mode (199 MB of
// RSS growth in 10 minutes at 100 decisions/s). The projector now trims what every group acked.
describe('the projector trims the bus of what every consumer group stored and acknowledged (real Redis)', () => {
  const prefix = testPrefix('projtrim');
  const key = `${prefix}{events}:stream`;
  let bus: LearningBus;
  let store: SqlEventStore;
  let redis: ReturnType<typeof createClient>;
  let projector: Projector;

  beforeAll(async () => {
    bus = await createRedisBus({ url: REDIS_URL, prefix });
    store = await createPgliteEventStore({ dataDir: 'memory://' });
    await store.migrate();
    redis = createClient({ url: REDIS_URL });
    await redis.connect();
  });
  afterAll(async () => {
    await projector?.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(keys);
    await redis.quit();
    await bus.close();
    await store.close();
  });

  it('the stream shrinks to nothing once stored, and keeps what a lagging group has not processed', async () => {
    projector = new Projector({ bus, store, consumer: 'p1', count: 20, blockMs: 20, trimIntervalMs: 50 });
    await projector.start();
    for (let i = 0; i < 100; i++) await bus.publish('events', [event(2 * i), event(2 * i + 1)]);
    await pollUntil(async () => projector.stats().appended === 200 && (await redis.xLen(key)) === 0, { timeoutMs: 20_000, message: 'all 200 events stored and the stream trimmed' });
    expect(projector.stats()).toMatchObject({ appended: 200, acked: 100, trimmed: 100 });
    expect((await store.query<{ n: number }>('SELECT count(*)::int AS n FROM events'))[0]!.n).toBe(200);

    // A second group that has read nothing yet: its entries stay, however often the projector trims.
    await bus.ensureGroup('events', 'lagging');
    for (let i = 0; i < 30; i++) await bus.publish('events', [event(1000 + i)]);
    await pollUntil(() => projector.stats().appended === 230, { timeoutMs: 20_000, message: 'the projector to store the 30 new events' });
    const trims = projector.stats().trimmed;
    await new Promise((r) => setTimeout(r, 300)); // six trim intervals
    expect(await redis.xLen(key)).toBe(30);
    expect(projector.stats().trimmed).toBe(trims);

    // Once the lagging group has acknowledged them, they go too.
    const msgs = await bus.read('events', 'lagging', 'l1', { count: 100 });
    expect(msgs).toHaveLength(30);
    await bus.ack('events', 'lagging', msgs.map((m) => m.id));
    await pollUntil(async () => (await redis.xLen(key)) === 0, { timeoutMs: 20_000, message: 'the stream trimmed after the lagging group caught up' });
    expect(projector.stats().trimmed).toBe(130);
  }, 60_000);
});
