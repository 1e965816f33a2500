import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventType, decisionStream, uuidv7, type NewEvent } from '../../core/index.js';
import { createMemoryBus } from '../bus/memory-bus.js';
import { createPostgresEventStore } from '../events/postgres-event-store.js';
import { createPgliteEventStore } from '../events/pglite-event-store.js';
import type { AppendTiming } from '../events/sql-event-store.js';
import { createTestSchema, type TestSchema } from '../../../test/support/services.js';
import { startTcpProxy } from '../../../test/support/tcp-proxy.js';
import { pollUntil } from '../../../test/support/poll-until.js';
import { Projector } from './projector.js';

// The counts behind apprentice_bus_deliveries_total and the timings behind
// apprentice_event_store_append_batch_duration_seconds (issue 17), on both event store
// adapters; the retry count with PostgreSQL really cut (a TCP proxy), not a mock.

const event = (i: number): NewEvent => {
  const decisionId = uuidv7();
  return {
    id: uuidv7(),
    type: EventType.DecisionMade,
    stream: decisionStream(decisionId),
    data: { decisionId, agent: 'triage', unitId: `u-${i}`, value: 'low', source: 'deterministic', reason: 'RULES', variant: 'deterministic', propensity: 1, latencyMs: 0 },
    metadata: {},
    time: new Date().toISOString(),
  };
};

describe('projector delivery counts and event store append timings', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema('projmetrics');
  });
  afterAll(async () => {
    await schema.drop();
  });

  it('PGlite: every entry delivered and acknowledged once, every append timed with its batch size', async () => {
    const timings: AppendTiming[] = [];
    const store = await createPgliteEventStore({ dataDir: 'memory://', onAppend: (t) => timings.push(t) });
    await store.migrate();
    const bus = createMemoryBus();
    const projector = new Projector({ bus, store, consumer: 'p1', count: 4 });
    try {
      for (let i = 0; i < 10; i++) await bus.publish('events', [event(2 * i), event(2 * i + 1)]); // 10 entries, 20 events
      expect(await projector.drainOnce()).toBe(10);
      expect(projector.stats()).toMatchObject({ delivered: 10, acked: 10, claimed: 0, retried: 0, appended: 20 });
      // Reads of 4 entries: appends of 8, 8 and 4 events, each timed.
      expect(timings.map((t) => [t.events, t.inserted])).toEqual([
        [8, 8],
        [8, 8],
        [4, 4],
      ]);
      for (const t of timings) expect(t.seconds).toBeGreaterThan(0);
      // A re-delivered batch is appended (and timed) again, inserting nothing.
      const again = [event(99)];
      await store.append(again);
      await store.append(again);
      expect(timings.slice(-2).map((t) => [t.events, t.inserted])).toEqual([
        [1, 1],
        [1, 0],
      ]);
    } finally {
      await bus.close();
      await store.close();
    }
  });

  it('PostgreSQL cut: the batch is retried (counted per entry) until it comes back, then stored and acknowledged once', async () => {
    const proxy = await startTcpProxy('127.0.0.1', 5432);
    const url = new URL(schema.connectionString);
    url.host = `127.0.0.1:${proxy.port}`;
    const timings: AppendTiming[] = [];
    const store = createPostgresEventStore({ connectionString: url.toString(), schema: schema.schema, connectTimeoutMs: 500, onAppend: (t) => timings.push(t) });
    await store.migrate();
    const bus = createMemoryBus();
    const projector = new Projector({ bus, store, consumer: 'p1', blockMs: 20, retryMs: 50 });
    await projector.start();
    try {
      await bus.publish('events', [event(0)]);
      await pollUntil(() => (projector.stats().acked === 1 ? true : undefined), { timeoutMs: 30_000, message: 'the first entry acknowledged' });
      proxy.cut();
      await bus.publish('events', [event(1), event(2)]);
      await pollUntil(() => (projector.stats().retried >= 2 ? true : undefined), { timeoutMs: 30_000, message: 'the append retried while PostgreSQL is cut' });
      expect(projector.stats().acked).toBe(1); // nothing acknowledged while the store is unreachable
      proxy.restore();
      await pollUntil(() => (projector.stats().acked === 2 ? true : undefined), { timeoutMs: 30_000, message: 'the second entry acknowledged after the restore' });
      const s = projector.stats();
      expect(s).toMatchObject({ delivered: 2, acked: 2, appended: 3 });
      expect(s.retried).toBeGreaterThanOrEqual(2);
      expect(s.storeErrors).toBeGreaterThanOrEqual(s.retried); // each retry follows a failed append
      // Only committed appends are timed: one per entry here.
      expect(timings.map((t) => t.inserted)).toEqual([1, 2]);
    } finally {
      await projector.stop();
      await bus.close();
      await store.close();
      await proxy.close();
    }
  });
});
