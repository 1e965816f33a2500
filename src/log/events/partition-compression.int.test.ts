import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, type TestSchema } from '../../../test/support/services.js';
import { carveDefaultPartition } from './partitions.js';
import { createPostgresEventStore } from './postgres-event-store.js';
import type { SqlEventStore } from './sql-event-store.js';

// Migration 068: lz4 on every partition's payload columns, the default partition included (it
// existed before migration 050 set lz4 on the parent, and kept pglz). A default partition made
// anew by the default-partition rule inherits it from the parent.
describe('payload compression of the event partitions (PostgreSQL)', () => {
  let schema: TestSchema;
  let store: SqlEventStore;
  beforeAll(async () => {
    schema = await createTestSchema('lz4');
    store = createPostgresEventStore({ connectionString: schema.connectionString, schema: schema.schema, maxConnections: 2 });
    await store.migrate();
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await schema?.drop();
  });

  const compression = (): Promise<{ rel: string; col: string; c: string }[]> =>
    store.query(
      `SELECT c.relname AS rel, a.attname AS col, a.attcompression::text AS c FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname IN ('data', 'metadata') WHERE i.inhparent = 'events'::regclass ORDER BY 1, 2`,
    );

  it('every partition, the default one too, compresses data and metadata with lz4', async () => {
    const rows = await compression();
    expect(rows.map((r) => r.rel)).toContain('events_default');
    expect(rows.filter((r) => r.c !== 'l')).toEqual([]);
  });

  it('a default partition made anew by carving keeps lz4', async () => {
    const old = new Date(Date.UTC(2020, 0, 15)).getTime().toString(16).padStart(12, '0');
    await store.append([{ id: `${old.slice(0, 8)}-${old.slice(8, 12)}-7000-8000-000000000001`, type: 'TestOld', stream: 'test-x', data: {}, metadata: {}, time: new Date(Date.UTC(2020, 0, 15)).toISOString() }]);
    expect(await carveDefaultPartition(store.client, { beforeMs: Date.now(), types: ['TestOld'] })).toEqual(['events_202001']);
    expect((await compression()).filter((r) => r.c !== 'l')).toEqual([]);
  });
});
