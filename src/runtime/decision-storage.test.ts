import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteClient, createPgliteEventStore } from '../log/events/pglite-event-store.js';
import { loadMigrations, runMigrations } from '../log/events/migrations.js';
import type { EventStore } from '../log/events/event-store.js';
import { decisionEvent } from '../log/events/testing/fixtures.js';
import { defaultProjections } from './projections.js';

// PGlite in memory: the same migrations as PostgreSQL (unit tier).
describe('decisions store features and context once, in the event (migrations/057)', () => {
  let store: EventStore;
  beforeAll(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://', projections: defaultProjections });
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
  });

  const context = { author: 'dev-7', files: ['a.ts', 'b.ts'], note: 'ünïcode' };
  const features = { files: 2, area: 'api' };

  it('the projection row has no copy of them; the decisions view reads them from the event', async () => {
    const d = decisionEvent({ features, context, contextHash: 'ab'.repeat(32) });
    await store.append([d]);
    const columns = (await store.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'decision_rows' AND table_schema = current_schema()`)).map((r) => r.column_name);
    expect(columns).not.toContain('features');
    expect(columns).not.toContain('context');
    expect(columns).toContain('event_id');
    const [row] = await store.query<{ features: unknown; context: unknown; context_hash: string }>('SELECT features, context, context_hash FROM decisions WHERE decision_id = $1', [d.data.decisionId]);
    expect(row).toEqual({ features, context, context_hash: 'ab'.repeat(32) });
    const [withOutcome] = await store.query<{ features: unknown; context: unknown }>('SELECT features, context FROM decisions_with_outcomes WHERE decision_id = $1', [d.data.decisionId]);
    expect(withOutcome).toEqual({ features, context });
    // The cached reader's lookup by context hash (hash index) finds it.
    const [byHash] = await store.query<{ id: string }>('SELECT decision_id::text AS id FROM decisions_with_outcomes WHERE agent = $1 AND context_hash = $2 ORDER BY decided_at DESC LIMIT 1', [d.data.agent, 'ab'.repeat(32)]);
    expect(byHash?.id).toBe(d.data.decisionId);
  });

  it('re-encryption updates the context through the view, without touching the append-only event; replay rebuilds from the event', async () => {
    const d = decisionEvent({ features, context });
    await store.append([d]);
    const reencrypted = { $protected: 'envelope', record: { kid: 'k2', ct: 'xyz' } };
    await store.query('UPDATE decisions SET context = $2 WHERE decision_id = $1', [d.data.decisionId, JSON.stringify(reencrypted)]);
    const [row] = await store.query<{ features: unknown; context: unknown }>('SELECT features, context FROM decisions WHERE decision_id = $1', [d.data.decisionId]);
    expect(row).toEqual({ features, context: reencrypted });
    const [event] = await store.query<{ context: unknown }>(`SELECT data->'context' AS context FROM events WHERE id = $1`, [d.id]);
    expect(event!.context).toEqual(context);
    await expect(store.query('UPDATE decisions SET features = $2 WHERE decision_id = $1', [d.data.decisionId, '{}'])).rejects.toThrow(/only context/);
    await store.replay();
    const [after] = await store.query<{ context: unknown }>('SELECT context FROM decisions WHERE decision_id = $1', [d.data.decisionId]);
    expect(after!.context).toEqual(context);
  });

  it('retention deletes through the view: the projection rows go, the event stays', async () => {
    const d = decisionEvent({ features, context });
    await store.append([d]);
    await store.query('UPDATE decisions SET context = $2 WHERE decision_id = $1', [d.data.decisionId, '{"x":1}']);
    await store.query('DELETE FROM decisions WHERE decision_id = ANY($1::uuid[])', [[d.data.decisionId]]);
    expect(await store.query('SELECT 1 FROM decision_rows WHERE decision_id = $1', [d.data.decisionId])).toEqual([]);
    expect(await store.query('SELECT 1 FROM decision_contexts WHERE decision_id = $1', [d.data.decisionId])).toEqual([]);
    expect(await store.query('SELECT 1 FROM events WHERE id = $1', [d.id])).toHaveLength(1);
  });

  it('migrating a log written before 057 keeps every decision readable, and a re-encrypted context', async () => {
    const client = await createPgliteClient('memory://');
    try {
      await runMigrations(client, loadMigrations().filter((m) => m.version < 57));
      const plain = decisionEvent({ features, context });
      const rotated = decisionEvent({ features: { files: 1 }, context: { a: 1 } });
      for (const d of [plain, rotated]) {
        await client.query(`INSERT INTO events (id, type, stream, data, metadata, time) VALUES ($1, $2, $3, $4, $5, $6)`, [d.id, d.type, d.stream, JSON.stringify(d.data), '{}', d.time]);
        await client.query(
          `INSERT INTO decisions (decision_id, agent, unit_id, value, source, reason, variant, propensity, latency_ms, features, context, decided_at)
           VALUES ($1, $2, $3, '"x"', 'deterministic', 'RULES', 'deterministic', 1, 0.1, $4, $5, $6)`,
          [d.data.decisionId, d.data.agent, d.data.unitId, JSON.stringify(d.data.features), JSON.stringify(d === rotated ? { kid: 'k2' } : d.data.context), d.time],
        );
      }
      expect(await runMigrations(client)).toContain(57);
      const rows = await client.query<{ id: string; features: unknown; context: unknown }>('SELECT decision_id::text AS id, features, context FROM decisions');
      expect(new Map(rows.map((r) => [r.id, { features: r.features, context: r.context }]))).toEqual(
        new Map([
          [plain.data.decisionId, { features, context }],
          [rotated.data.decisionId, { features: { files: 1 }, context: { kid: 'k2' } }],
        ]),
      );
    } finally {
      await client.close();
    }
  });
});
