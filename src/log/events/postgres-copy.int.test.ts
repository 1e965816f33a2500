import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, type TestSchema } from '../../../test/support/services.js';
import { decisionEvent } from './testing/fixtures.js';
import { createPostgresEventStore } from './postgres-event-store.js';
import type { SqlEventStore } from './sql-event-store.js';

// The restore path's bulk load (`append(..., { projections: false, copy: true })`): COPY ... FROM
// STDIN on PostgreSQL, with the same order, content and idempotency as the insert.
describe('PostgreSQL bulk append with COPY', () => {
  let schema: TestSchema;
  let store: SqlEventStore;
  beforeAll(async () => {
    schema = await createTestSchema('copy');
    store = createPostgresEventStore({ connectionString: schema.connectionString, schema: schema.schema });
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await schema.drop();
  });

  it('stores every event in the batch order, with text that COPY must escape intact', async () => {
    const awkward = { note: 'tab\there, newline\nthere, carriage\rreturn, back\\slash, \\N and \\. and quote "x"', nested: { a: [1, null, 'é'] } };
    const events = Array.from({ length: 1200 }, (_, i) => decisionEvent(i === 7 ? { agent: 'copy-agent', features: awkward } : {}));
    const r = await store.append(events, { projections: false, copy: true });
    expect(r).toEqual({ inserted: events.map((e) => e.id), skipped: 0 });
    const back = await store.readAll({ limit: 5000 });
    expect(back.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(back[7]!.data).toEqual(events[7]!.data);
    expect(back[7]!.metadata).toEqual(events[7]!.metadata);
    expect(back.map((e) => new Date(e.time).toISOString())).toEqual(events.map((e) => new Date(e.time).toISOString()));
  });

  it('a batch holding an id already stored falls back to the insert, which skips it', async () => {
    const stored = (await store.readAll({ limit: 1 }))[0]!;
    const again = { id: stored.id, type: stored.type, stream: stored.stream, data: stored.data, metadata: stored.metadata, time: stored.time };
    const fresh = [decisionEvent(), decisionEvent()];
    const before = (await store.readAll({ limit: 5000 })).length;
    const r = await store.append([fresh[0]!, again, fresh[1]!], { projections: false, copy: true });
    expect(r).toEqual({ inserted: fresh.map((e) => e.id), skipped: 1 });
    const after = await store.readAll({ limit: 5000 });
    expect(after.length).toBe(before + 2);
    expect(after.slice(-2).map((e) => e.id)).toEqual(fresh.map((e) => e.id));
  });
});
