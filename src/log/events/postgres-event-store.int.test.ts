import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, type TestSchema } from '../../../test/support/services.js';
import { pollUntil } from '../../../test/support/poll-until.js';
import { cursorOf, START, type Cursor } from './event-store.js';
import { eventStoreContract } from './testing/event-store-contract.js';
import { startCheckpointingReader } from './testing/checkpointing-reader.js';
import { decisionEvent } from './testing/fixtures.js';
import { createPgClient, createPostgresEventStore, isPgConnectionError } from './postgres-event-store.js';
import { SqlEventStore } from './sql-event-store.js';
import { readCostSuite } from './testing/read-cost-suite.js';

eventStoreContract('postgres', async () => {
  const schema = await createTestSchema('es');
  const store = createPostgresEventStore({ connectionString: schema.connectionString, schema: schema.schema });
  await store.migrate();
  return {
    store,
    async cleanup() {
      await store.close();
      await schema.drop();
    },
  };
});

describe('PostgreSQL gap-safe ordering (the BIGSERIAL trap)', () => {
  let schema: TestSchema;
  let store: SqlEventStore;
  beforeAll(async () => {
    schema = await createTestSchema('gap');
    store = createPostgresEventStore({ connectionString: schema.connectionString, schema: schema.schema, maxConnections: 20 });
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await schema.drop();
  });

  it('hides a later commit while an earlier-positioned transaction is still open', async () => {
    const slow = decisionEvent();
    const fast = decisionEvent();
    let releaseSlow!: () => void;
    const slowHeld = new Promise<void>((r) => (releaseSlow = r));
    let slowInserted!: () => void;
    const slowHasPosition = new Promise<void>((r) => (slowInserted = r));
    // Transaction A takes the lower position and stays open.
    const a = store.client.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO events (id, type, stream, data, metadata, time) VALUES ($1, $2, $3, $4, $5, $6)`,
        [slow.id, slow.type, slow.stream, JSON.stringify(slow.data), '{}', slow.time],
      );
      slowInserted();
      await slowHeld;
    });
    await slowHasPosition;
    // Transaction B takes a higher position and commits first.
    await store.append([fast]);
    const early = await store.readAll({ limit: 100 });
    expect(early.map((e) => e.id)).not.toContain(fast.id); // a position-only reader would return it and skip `slow`
    const checkpoint: Cursor = early.length ? cursorOf(early[early.length - 1]!) : START;
    releaseSlow();
    await a;
    // Another test file's open transaction may still hold the cluster-wide xmin back: poll.
    const late = await pollUntil(
      async () => {
        const page = await store.readAll({ after: checkpoint, limit: 100 });
        return page.length >= 2 ? page : undefined;
      },
      { timeoutMs: 20_000, message: 'both events to be readable past the checkpoint' },
    );
    expect(late.map((e) => e.id)).toEqual([slow.id, fast.id]);
    expect(late[0]!.position < late[1]!.position).toBe(true);
  });

  it('many concurrent transactions with random commit delays: the reader sees each event exactly once', async () => {
    let writing = true;
    const total = 16 * 15 * 3;
    const { seen, done: reader } = startCheckpointingReader(store, { after: START, limit: 37, expected: total, writing: () => writing });
    const written: string[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; i < 15; i++) {
          const batch = Array.from({ length: 3 }, () => decisionEvent());
          // The commit is delayed inside the database so positions commit out of order.
          await store.client.transaction(async (tx) => {
            await tx.query(
              `INSERT INTO events (id, type, stream, data, metadata, time)
               SELECT id, type, stream, data, metadata, time
               FROM json_to_recordset($1::json) AS r(id uuid, type text, stream text, data jsonb, metadata jsonb, time timestamptz)`,
              [JSON.stringify(batch)],
            );
            await tx.query('SELECT pg_sleep($1)', [((w * 7 + i * 13) % 10) / 1000]);
          });
          written.push(...batch.map((e) => e.id));
        }
      }),
    );
    writing = false;
    await reader;
    expect(written.length).toBe(16 * 15 * 3);
    const missing = written.filter((id) => seen.get(id) !== 1);
    expect(missing).toEqual([]);
  });
});

readCostSuite('postgres', async (wrap) => {
  const schema = await createTestSchema('cost');
  const client = createPgClient({ connectionString: schema.connectionString, schema: schema.schema });
  const store = new SqlEventStore('postgres', wrap(client), { isConnectionError: isPgConnectionError });
  await store.migrate();
  return {
    store,
    async cleanup() {
      await store.close();
      await schema.drop();
    },
  };
});

describe('PostgreSQL LISTEN/NOTIFY wakes subscribers in other processes', () => {
  let schema: TestSchema;
  let reader: SqlEventStore;
  let writer: SqlEventStore;
  beforeAll(async () => {
    schema = await createTestSchema('notify');
    reader = createPostgresEventStore({ connectionString: schema.connectionString, schema: schema.schema });
    writer = createPostgresEventStore({ connectionString: schema.connectionString, schema: schema.schema });
    await reader.migrate();
  });
  afterAll(async () => {
    await reader.close();
    await writer.close();
    await schema.drop();
  });

  it('an append by another store instance is delivered long before the idle safety poll', async () => {
    const seen: string[] = [];
    // A safety poll of 10 minutes: only a notification can deliver the event within the test.
    const unsubscribe = reader.subscribe((events) => void seen.push(...events.map((e) => e.id)), { idlePollMs: 600_000 });
    try {
      const deadline = Date.now() + 10_000;
      while (!reader.listening) {
        if (Date.now() > deadline) throw new Error('LISTEN never connected');
        await new Promise((r) => setTimeout(r, 10));
      }
      // Let the first (catch-up) read finish and the subscription go idle.
      await new Promise((r) => setTimeout(r, 200));
      const e = decisionEvent();
      await writer.append([e]);
      while (!seen.includes(e.id)) {
        if (Date.now() > deadline) throw new Error('the appended event was not delivered: no notification woke the subscriber');
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(seen).toEqual([e.id]);
    } finally {
      await unsubscribe();
    }
  });
  it('an event hidden behind an older open transaction is delivered when it commits, without a second notification', async () => {
    const seen: string[] = [];
    const unsubscribe = reader.subscribe((events) => void seen.push(...events.map((e) => e.id)), { idlePollMs: 600_000 });
    // An older transaction holding an xid: reads stop below it, so a later commit stays hidden.
    const old = new pg.Client({ connectionString: schema.connectionString });
    await old.connect();
    try {
      await pollUntil(() => reader.listening, { timeoutMs: 10_000, message: 'LISTEN to connect' });
      await new Promise((r) => setTimeout(r, 200));
      await old.query('BEGIN');
      await old.query('SELECT pg_current_xact_id()');
      const e = decisionEvent();
      await writer.append([e]); // notifies at once; the subscriber wakes and cannot see it yet
      // Longer than any fixed burst of quick polls after the wake-up (it was 20 x 50 ms).
      await new Promise((r) => setTimeout(r, 2500));
      expect(seen).not.toContain(e.id); // (the catch-up read delivered the earlier tests' events)
      await old.query('COMMIT');
      // No new notification comes: only the subscriber's own looking can find it before the
      // 10-minute safety poll.
      await pollUntil(() => seen.includes(e.id), { timeoutMs: 15_000, message: 'the hidden event after the old transaction ended' });
      expect(seen.filter((id) => id === e.id)).toHaveLength(1);
    } finally {
      await old.query('ROLLBACK').catch(() => undefined);
      await old.end();
      await unsubscribe();
    }
  });
});
