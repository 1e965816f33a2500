import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewEvent } from '../core/index.js';
import { createFsArtifactStore } from '../learning/registry/artifacts/fs-artifact-store.js';
import { monthBounds } from '../log/events/partitions.js';
import { createPgliteEventStore } from '../log/events/pglite-event-store.js';
import type { SqlEventStore } from '../log/events/sql-event-store.js';
import { decisionEvent, outcomeEvent } from '../log/events/testing/fixtures.js';
import { defaultProjections } from './projections.js';
import { attachColdTier, coldSegments, tierPartitions } from './tiering.js';

// The embedded store (PGlite, one connection): tiering detaches and drops a partition there too,
// and replay reads the cold segments inside its transaction without waiting on itself
// (the catalogue is read before the transaction opens; chunks come from the filesystem).
describe('cold tiering on the embedded store (PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprentice-tier-pglite-'));
  let store: SqlEventStore;
  const start = new Date(Date.UTC(new Date().getUTCFullYear() - 1, 0, 1));
  const m = monthBounds(start.getUTCFullYear(), 0);
  beforeAll(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://', projections: defaultProjections });
    await store.migrate();
    await store.query(`CREATE TABLE ${m.name} PARTITION OF events FOR VALUES FROM ('${m.from}') TO ('${m.to}')`);
    // Ids inside last January: a decision id of that time, and events keyed by it.
    const events: NewEvent[] = [];
    for (let i = 0; i < 50; i++) {
      const t = new Date(start.getTime() + 86_400_000 + i * 1000);
      const hex = t.getTime().toString(16).padStart(12, '0');
      const id = (n: number): string => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${n.toString(16).padStart(3, '0')}-8000-${i.toString(16).padStart(12, '0')}`;
      const d = { ...decisionEvent({ decisionId: id(1) }, t), id: id(2) };
      events.push(d, { ...outcomeEvent(id(1), { reward: i % 2 }, t), id: id(3) });
    }
    await store.append(events);
    attachColdTier(store, async () => createFsArtifactStore(dir));
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a partition moves out to the filesystem and replay still rebuilds every decision', async () => {
    const r = await tierPartitions({ db: store.client, artifacts: createFsArtifactStore(dir), olderThanDays: 30, actor: 'test' });
    expect(r.failed).toEqual([]);
    expect(r.tiered.map((t) => [t.partition, t.rows])).toEqual([[m.name, 100]]);
    expect(await store.query(`SELECT 1 FROM pg_class WHERE relname = $1`, [m.name])).toEqual([]);
    expect((await coldSegments(store)).map((s) => s.partition)).toEqual([m.name]);
    await store.replay();
    const [n] = await store.query<{ d: number; o: number }>('SELECT (SELECT count(*) FROM decision_rows)::int AS d, (SELECT count(*) FROM outcomes)::int AS o');
    expect(n).toEqual({ d: 50, o: 50 });
  });
});

// The default partition rule: events of a month no dated partition covered landed in
// `events_default`; tiering carves that month into its own partition and tiers it, and what stays
// hot (control events, this month's decisions in the default partition) stays.
describe('cold tiering of the default partition (PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprentice-tier-default-'));
  let store: SqlEventStore;
  const start = new Date(Date.UTC(new Date().getUTCFullYear() - 1, 2, 1));
  const m = monthBounds(start.getUTCFullYear(), 2);
  const idAt = (t: Date, n: number, i: number): string => {
    const hex = t.getTime().toString(16).padStart(12, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${n.toString(16).padStart(3, '0')}-8000-${i.toString(16).padStart(12, '0')}`;
  };
  beforeAll(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://', projections: defaultProjections });
    await store.migrate();
    const events: NewEvent[] = [];
    for (let i = 0; i < 20; i++) {
      const t = new Date(start.getTime() + 86_400_000 + i * 1000);
      events.push({ ...decisionEvent({ decisionId: idAt(t, 1, i) }, t), id: idAt(t, 2, i) }, { ...outcomeEvent(idAt(t, 1, i), { reward: i % 2 }, t), id: idAt(t, 3, i) });
    }
    // A control event of that month: it stays hot.
    const t = new Date(start.getTime() + 2 * 86_400_000);
    events.push({ id: idAt(t, 4, 0), type: 'AgentRegistered', stream: 'agent-a', data: { name: 'a' }, metadata: { actor: 'test' }, time: t.toISOString() });
    await store.append(events);
    attachColdTier(store, async () => createFsArtifactStore(dir));
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an old month in the default partition gets its own partition, is tiered, and replay still sees it', async () => {
    const inDefault = async (): Promise<number> => (await store.query<{ n: number }>('SELECT count(*)::int AS n FROM events_default'))[0]!.n;
    expect(await inDefault()).toBe(41);
    const r = await tierPartitions({ db: store.client, artifacts: createFsArtifactStore(dir), olderThanDays: 30, actor: 'test' });
    expect(r.failed).toEqual([]);
    expect(r.carved).toEqual([m.name]);
    expect(r.tiered.map((t) => [t.partition, t.rows, t.keptHot])).toEqual([[m.name, 40, 1]]);
    // The control event is back in the default partition, and the carved partition is gone.
    expect(await inDefault()).toBe(1);
    expect(await store.query(`SELECT 1 FROM pg_class WHERE relname = $1`, [m.name])).toEqual([]);
    // A second run finds nothing to carve (the control event alone does not make a month due).
    const again = await tierPartitions({ db: store.client, artifacts: createFsArtifactStore(dir), olderThanDays: 30, actor: 'test' });
    expect([again.carved, again.tiered, again.failed]).toEqual([[], [], []]);
    await store.replay();
    const [n] = await store.query<{ d: number; o: number }>('SELECT (SELECT count(*) FROM decision_rows)::int AS d, (SELECT count(*) FROM outcomes)::int AS o');
    expect(n).toEqual({ d: 20, o: 20 });
    expect(await store.readStream(`decision-${idAt(new Date(start.getTime() + 86_400_000), 1, 0)}`)).toHaveLength(2);
  });
});
