import { randomBytes } from 'node:crypto';
import { mkdirSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pollUntil } from '../../test/support/poll-until.js';
import { PG_URL, createTestSchema, type TestSchema } from '../../test/support/services.js';
import { EventType, type DecisionData, type NewEvent, type StoredEvent } from '../core/index.js';
import { monthBounds } from '../log/events/partitions.js';
import { createPostgresEventStore } from '../log/events/postgres-event-store.js';
import { decisionEvent, outcomeEvent } from '../log/events/testing/fixtures.js';
import { START, type Cursor, type EventStore } from '../log/index.js';
import { createSecurityRuntime, type SecurityRuntime } from '../security/index.js';
import { main } from '../cli/program.js';
import { createArtifactStore } from './artifact-store.js';
import { restoreBackup, writeBackup } from './backup.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { sqlClientOf } from './install-security.js';
import { defaultProjections } from './projections.js';
import { COLD_TYPES, coldEvents, coldSegments, tierPartitions, type TierResult } from './tiering.js';

const DAY = 86_400_000;
/** A UUIDv7 of time `ms` (the library's generator is monotonic: it never goes back to a past month). */
const idAt = (ms: number): string => {
  const h = ms.toString(16).padStart(12, '0');
  const r = randomBytes(8).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7${r.slice(0, 3)}-${((parseInt(r[3]!, 16) & 0x3) | 0x8).toString(16)}${r.slice(4, 7)}-${randomBytes(6).toString('hex')}`;
};
const NOW = new Date();
/** The month `back` months before this one. */
const month = (back: number): { name: string; from: string; to: string; start: Date } => {
  const y = NOW.getUTCFullYear();
  const m = NOW.getUTCMonth() - back;
  const start = new Date(Date.UTC(y, m, 1));
  return { ...monthBounds(start.getUTCFullYear(), start.getUTCMonth()), start };
};
const OLD = [month(6), month(5)];
const LATE = month(7); // tiered later, through a failed drop
const RECENT = month(1);
const CLI = month(8); // tiered through the command line

/** Every projection table, row by row, as one sha256 per table (order-independent), as the backup test does. */
async function projectionHashes(store: EventStore, extra: readonly string[] = []): Promise<Record<string, string>> {
  const tables = [...new Set(defaultProjections.flatMap((p) => p.tables)), ...extra];
  const out: Record<string, string> = {};
  for (const t of tables) {
    const [r] = await store.query<{ h: string | null; n: string }>(
      `SELECT md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))) AS h, count(*)::text AS n FROM ${t} x`,
    );
    out[t] = `${r?.n}:${r?.h ?? ''}`;
  }
  return out;
}

/**
 * The whole hot log in global order, once every committed event is readable: reads stop at the
 * oldest transaction still open anywhere on the server (gap-safe order), and other test files
 * share this PostgreSQL.
 */
async function readEverything(store: EventStore): Promise<StoredEvent[]> {
  return pollUntil(
    async () => {
      const all = await readVisible(store);
      const [c] = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
      return all.length === c!.n ? all : undefined;
    },
    { timeoutMs: 30_000, message: 'every committed event to be readable in global order' },
  );
}

async function readVisible(store: EventStore): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let after: Cursor = START;
  for (;;) {
    const page = await store.readAll({ after, limit: 5000 });
    out.push(...page);
    const last = page.at(-1);
    if (!last || page.length < 5000) return out;
    after = { transactionId: last.transactionId, position: last.position };
  }
}

const byOrder = (a: StoredEvent, b: StoredEvent): number =>
  a.transactionId !== b.transactionId ? (a.transactionId < b.transactionId ? -1 : 1) : a.position < b.position ? -1 : a.position > b.position ? 1 : 0;
const plain = (e: StoredEvent): unknown => ({ ...e, position: e.position.toString(), transactionId: e.transactionId.toString() });

// Cold tiering against PostgreSQL: old monthly partitions move to gzip'd NDJSON in the artifact
// store (here the server-mode default, PostgreSQL's model_artifacts), the hot table no longer
// holds them, replay and backup still see every event, erasure holds, and a drop that fails
// (a lock held by another connection) loses nothing and a re-run finishes the job.
describe('cold tiering by partition (PostgreSQL)', () => {
  const schemas: TestSchema[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'apprentice-tier-'));
  let a: Apprentice;
  let sec: SecurityRuntime;
  let before: StoredEvent[];
  let hashesBefore: Record<string, string>;
  let decisionsBefore: Record<string, string>;
  let first: TierResult;
  const contexts = new Map<string, { subject: string | undefined; stored: unknown }>();
  const tieredDecisions: string[] = [];

  const open = async (name: string): Promise<Apprentice> => {
    const schema = await createTestSchema(`tier${name}`);
    schemas.push(schema);
    const databaseUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    return createApprentice({ config: { databaseUrl, dataDir: join(dir, name), logLevel: 'silent' }, projector: false });
  };

  /** Decisions with their shadow prediction and outcome, and an agent definition, in `m`. */
  async function fill(m: { start: Date }, n: number, tag: string): Promise<void> {
    const events: NewEvent[] = [];
    for (let i = 0; i < n; i++) {
      const t = new Date(m.start.getTime() + DAY + i * 60_000);
      const subject = i % 3 === 0 ? 'alice' : i % 3 === 1 ? 'bob' : undefined;
      const ctx = { linesChanged: i, author: subject ?? 'anon', tag };
      const ref = subject ? await sec.protector.prepare('deployment-specialist', ctx, subject) : undefined;
      const stored = sec.protector.protect('deployment-specialist', ctx, ref);
      const id = idAt(t.getTime());
      const d = { ...decisionEvent({ decisionId: id, context: stored, features: { linesChanged: i, friday: i % 2 === 0 }, ...(ref ? { subjectId: ref } : {}) } as Partial<DecisionData>, t), id: idAt(t.getTime()) };
      contexts.set(id, { subject, stored });
      events.push(
        d,
        {
          id: idAt(t.getTime() + 1),
          type: EventType.ShadowPredicted,
          stream: d.stream,
          data: { decisionId: id, agent: 'deployment-specialist', unitId: `u-${i}`, modelVersion: 2, rulesValue: 'canary', modelValue: i % 2 ? 'canary' : 'full', agree: i % 2 === 1, latencyMs: 0.3 },
          metadata: { actor: 'shadow' },
          time: new Date(t.getTime() + 1).toISOString(),
        },
        { ...outcomeEvent(id, { reward: i % 2 }, new Date(t.getTime() + 2)), id: idAt(t.getTime() + 2) },
      );
      if (i % 50 === 0)
        events.push({
          id: idAt(t.getTime() + 3),
          type: EventType.AgentDefined,
          stream: 'agent-deployment-specialist',
          data: { agent: 'deployment-specialist', version: Number(`${tag.length}${i}`) + 1, after: { tag, i } },
          metadata: { actor: 'test' },
          time: new Date(t.getTime() + 3).toISOString(),
        });
    }
    for (let i = 0; i < events.length; i += 1000) await a.store.append(events.slice(i, i + 1000));
  }

  beforeAll(async () => {
    a = await open('src');
    sec = await createSecurityRuntime({ dataDir: join(dir, 'src'), env: {} });
    // Monthly partitions for the past months (the service creates this month and two ahead).
    for (const m of [...OLD, RECENT])
      await a.store.query(`CREATE TABLE IF NOT EXISTS ${m.name} PARTITION OF events FOR VALUES FROM ('${m.from}') TO ('${m.to}')`);
    await fill(OLD[0]!, 700, 'old0');
    await fill(OLD[1]!, 500, 'old1');
    await fill(RECENT, 300, 'recent');
    await fill({ start: new Date(NOW.getTime() - 2 * DAY) }, 100, 'now');
    await a.store.replay();
    before = await readEverything(a.store);
    hashesBefore = await projectionHashes(a.store);
    decisionsBefore = await projectionHashes(a.store, ['decisions']);
    const artifacts = await createArtifactStore(a);
    first = await tierPartitions({ db: sqlClientOf(a)!, artifacts, olderThanDays: 90, actor: 'test:ops', reason: 'tiering test', chunkRows: 400 });
    for (const [id] of contexts) if (id < OLD[1]!.to && id >= OLD[0]!.from) tieredDecisions.push(id);
  }, 120_000);
  afterAll(async () => {
    await a?.close();
    for (const s of schemas) await s.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves the old partitions out: the table no longer holds them, the segments and their audit events are recorded', async () => {
    expect(first.failed).toEqual([]);
    expect(first.tiered.map((t) => t.partition)).toEqual(OLD.map((m) => m.name));
    expect(first.tiered.map((t) => t.rows)).toEqual([2100, 1500]);
    expect(first.tiered.map((t) => t.keptHot)).toEqual([14, 10]);
    expect(first.tiered[0]!.chunks).toBe(6); // 2,100 events in chunks of 400
    const tables = await a.store.query<{ relname: string }>(`SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relname LIKE 'events_%' AND relkind IN ('r', 'p')`);
    const names = tables.map((t) => t.relname);
    for (const m of OLD) expect(names).not.toContain(m.name);
    expect(names).toContain(RECENT.name);
    // In the old ranges only the agents' definitions are left (kept hot, in events_default).
    for (const m of OLD) {
      const rows = await a.store.query<{ type: string; n: number }>(
        'SELECT type, count(*)::int AS n FROM events WHERE id >= $1::uuid AND id < $2::uuid GROUP BY type',
        [m.from, m.to],
      );
      expect(rows.map((r) => r.type)).toEqual([EventType.AgentDefined]);
    }
    const segments = await coldSegments(a.store);
    expect(segments.map((s) => [s.partition, s.rows, s.state])).toEqual(OLD.map((m, i) => [m.name, [2100, 1500][i], 'tiered']));
    expect(segments[0]!.manifest).toMatchObject({ format: 'apprentice-cold-segment', compression: 'gzip', types: COLD_TYPES, range: { fromId: OLD[0]!.from, toId: OLD[0]!.to } });
    expect(segments[0]!.manifest.schemaVersion).toBeGreaterThanOrEqual(65);
    await readEverything(a.store);
    const audit = await a.store.readAll({ types: [EventType.EventPartitionTiered] });
    expect(audit.map((e) => [e.id, e.metadata.actor, e.metadata.reason, (e.data as { partition: string }).partition])).toEqual(
      first.tiered.map((t) => [t.eventId, 'test:ops', 'tiering test', t.partition]),
    );
    expect(audit[0]!.data).toMatchObject({ rows: 2100, before: { storage: 'hot' }, after: { storage: 'cold', segment: first.tiered[0]!.manifestKey } });
    // Running again finds nothing left to do.
    const again = await tierPartitions({ db: sqlClientOf(a)!, artifacts: await createArtifactStore(a), olderThanDays: 90, actor: 'test:ops' });
    expect(again.tiered).toEqual([]);
    expect(again.failed).toEqual([]);
  });

  it('the cold segments hold every tiered event exactly as stored, compressed', async () => {
    const cold: StoredEvent[] = [];
    for await (const batch of coldEvents(a.store, await createArtifactStore(a))) cold.push(...batch);
    const hot = await readEverything(a.store);
    const merged = [...cold, ...hot.filter((e) => e.type !== EventType.EventPartitionTiered)].sort(byOrder);
    expect(merged.map(plain)).toEqual(before.map(plain));
    expect(cold.every((e) => COLD_TYPES.includes(e.type))).toBe(true);
    const segments = await coldSegments(a.store);
    const raw = segments.reduce((n, s) => n + s.manifest.chunks.reduce((m, c) => m + c.rawBytes, 0), 0);
    const gz = segments.reduce((n, s) => n + s.manifest.chunks.reduce((m, c) => m + c.bytes, 0), 0);
    expect(gz).toBeLessThan(raw / 2);
  });

  it('replay reads the cold segments before the hot table: identical projections, row by row', async () => {
    await a.store.replay();
    expect(await projectionHashes(a.store)).toEqual(hashesBefore);
    // Without the cold segments the projections lose the tiered decisions (the check can fail).
    await a.store.replay(undefined, { cold: (async function* () {})() });
    const partial = await projectionHashes(a.store);
    expect(partial.decision_rows).not.toEqual(hashesBefore.decision_rows);
    expect(Number(partial.decision_rows!.split(':')[0])).toBe(400);
    await a.store.replay();
    expect(await projectionHashes(a.store)).toEqual(hashesBefore);
  });

  it('a tiered decision stream is read from its segment; a store without the cold tier says it is in cold storage', async () => {
    const id = tieredDecisions[7]!;
    const expected = before.filter((e) => e.stream === `decision-${id}`);
    expect(expected).toHaveLength(3);
    expect((await a.store.readStream(`decision-${id}`)).map(plain)).toEqual(expected.map(plain));
    expect((await a.store.readStream(`decision-${id}`, { afterPosition: expected[0]!.position })).map(plain)).toEqual(expected.slice(1).map(plain));
    // By decision id (what GET /api/v1/decisions/{id} serves): the projection row is found, and
    // the view says its features and context are in cold storage instead of leaving them out silently.
    const view = await a.reader.get(id);
    expect(view?.cold).toEqual({ stream: `decision-${id}` });
    expect(view?.decision).toMatchObject({ decisionId: id, features: undefined, context: undefined });
    expect(view?.outcome).toMatchObject({ reward: expect.any(Number) });
    const hotView = await a.reader.get([...contexts.keys()].find((k) => k >= RECENT.from)!);
    expect(hotView?.cold).toBeUndefined();
    expect(hotView?.decision.features).toMatchObject({ linesChanged: expect.any(Number) });
    const bare = createPostgresEventStore({ connectionString: PG_URL, schema: schemas[0]!.schema, maxConnections: 1 });
    try {
      await expect(bare.readStream(`decision-${id}`)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(new RegExp(`cold storage \\(segment ${OLD[0]!.name}, ${OLD[1]!.name}\\)`)) });
      // A hot decision is unaffected.
      const hotId = [...contexts.keys()].find((k) => k >= RECENT.from)!;
      expect(await bare.readStream(`decision-${hotId}`)).toHaveLength(3);
    } finally {
      await bare.close();
    }
  });

  it('backup includes the tiered events; restore then replay gives the same projections as before tiering', async () => {
    const file = join(dir, 'backup.ndjson.gz');
    await readEverything(a.store); // the backup reads in global order too
    const summary = await writeBackup({ store: a.store, artifacts: await createArtifactStore(a), dataDir: join(dir, 'src') }, file);
    expect(summary.events).toBe(before.length + first.tiered.length);
    expect(summary.artifacts).toBe(0); // the segments' chunks travel as events, not twice
    const target = await open('dst');
    try {
      mkdirSync(join(dir, 'dst', 'keys'), { recursive: true });
      copyFileSync(join(dir, 'src', 'keys', 'master.json'), join(dir, 'dst', 'keys', 'master.json'));
      await restoreBackup({ store: target.store, artifacts: await createArtifactStore(target), dataDir: join(dir, 'dst') }, file);
      await target.store.replay();
      // Everything is hot again in the target: even the decisions view (features and context read from the event) matches the source before tiering.
      expect(await projectionHashes(target.store, ['decisions'])).toEqual(decisionsBefore);
      const restored = await readEverything(target.store);
      expect(new Set(restored.map((e) => e.id))).toEqual(new Set([...before.map((e) => e.id), ...first.tiered.map((t) => t.eventId)]));
    } finally {
      await target.close();
    }
  });

  it('a drop that cannot get its lock loses nothing; the segment stays written and a re-run finishes it', async () => {
    await a.store.query(`CREATE TABLE ${LATE.name} PARTITION OF events FOR VALUES FROM ('${LATE.from}') TO ('${LATE.to}')`);
    await fill(LATE, 300, 'late');
    await a.store.replay();
    const expected = await projectionHashes(a.store);
    const lateEvents = (await readEverything(a.store)).filter((e) => e.id >= LATE.from && e.id < LATE.to);
    const holder = new pg.Client({ connectionString: PG_URL });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT count(*) FROM ${schemas[0]!.schema}.${LATE.name}`);
      const failed = await tierPartitions({ db: sqlClientOf(a)!, artifacts: await createArtifactStore(a), olderThanDays: 90, actor: 'test:ops', lockTimeoutMs: 300 });
      expect(failed.tiered).toEqual([]);
      expect(failed.failed).toEqual([{ partition: LATE.name, stage: 'drop', error: expect.stringMatching(/lock timeout/) }]);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    // Nothing moved: the partition is whole, the segment is written (not tiered), no audit event.
    const still = await a.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${LATE.name}`);
    expect(still[0]!.n).toBe(lateEvents.length);
    expect((await coldSegments(a.store, { all: true })).find((s) => s.partition === LATE.name)?.state).toBe('written');
    expect((await coldSegments(a.store)).map((s) => s.partition)).toEqual(OLD.map((m) => m.name));
    await readEverything(a.store);
    expect(await a.store.readAll({ types: [EventType.EventPartitionTiered] })).toHaveLength(2);
    const keys = async (): Promise<string[]> => {
      const out: string[] = [];
      for await (const k of (await createArtifactStore(a)).list()) out.push(k);
      return out.sort();
    };
    const keysAfterFailure = await keys();

    const rerun = await tierPartitions({ db: sqlClientOf(a)!, artifacts: await createArtifactStore(a), olderThanDays: 90, actor: 'test:ops' });
    expect(rerun.failed).toEqual([]);
    expect(rerun.tiered.map((t) => [t.partition, t.rows])).toEqual([[LATE.name, 900]]);
    expect(await keys()).toEqual(keysAfterFailure); // the same chunks, content-addressed: written once
    const segments = await coldSegments(a.store);
    // In global order of their first event: the late month's events were appended last.
    expect(segments.map((s) => s.partition)).toEqual([...OLD.map((m) => m.name), LATE.name]);
    await a.store.replay();
    expect(await projectionHashes(a.store)).toEqual(expected);
    const id = [...contexts.keys()].find((k) => k >= LATE.from && k < LATE.to)!;
    expect((await a.store.readStream(`decision-${id}`)).map(plain)).toEqual(lateEvents.filter((e) => e.stream === `decision-${id}`).map(plain));
  });

  it('apprentice tier, tier list and tier read do the same from the command line', async () => {
    await a.store.query(`CREATE TABLE ${CLI.name} PARTITION OF events FOR VALUES FROM ('${CLI.from}') TO ('${CLI.to}')`);
    await fill(CLI, 40, 'cli');
    const url = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schemas[0]!.schema}`)}`;
    const cli = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
      const out: string[] = [];
      const err: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (out.push(String(chunk)), true));
      const spyErr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => (err.push(String(chunk)), true));
      try {
        const code = await main([...args, '--database-url', url, '--data-dir', join(dir, 'src')]);
        return { code, out: out.join(''), err: err.join('') };
      } finally {
        spy.mockRestore();
        spyErr.mockRestore();
      }
    };
    const run = await cli('tier', '--older-than-days', '90', '--reason', 'from the cli', '--actor', 'ops', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ tiered: [{ partition: CLI.name, rows: 120, keptHot: 1 }], failed: [] });
    const list = await cli('tier', 'list', '--json');
    expect((JSON.parse(list.out) as { partition: string; state: string }[]).map((s) => [s.partition, s.state])).toEqual(
      [...OLD.map((m) => m.name), LATE.name, CLI.name].map((n) => [n, 'tiered']),
    );
    const id = [...contexts.keys()].find((k) => k >= CLI.from && k < CLI.to)!;
    const read = await cli('tier', 'read', '--stream', `decision-${id}`);
    expect(read.code).toBe(0);
    expect(read.out.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type)).toEqual([EventType.DecisionMade, EventType.ShadowPredicted, EventType.OutcomeRecorded]);
    await readEverything(a.store);
    const [audit] = (await a.store.readAll({ types: [EventType.EventPartitionTiered] })).slice(-1);
    expect(audit!.metadata).toEqual({ actor: 'ops', reason: 'from the cli' });
    // A bad age is a usage error (exit 2), refused before the store is opened.
    const bad = await cli('tier', '--older-than-days', '0');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/older-than-days: must be an integer ≥ 1/);
  });

  it('erasure holds on tiered data: contexts stay encrypted in the segments, an erased subject cannot be read', async () => {
    await sec.subjects.erase('bob');
    const artifacts = await createArtifactStore(a);
    const segments = await coldSegments(a.store);
    const text = (await Promise.all(segments.flatMap((s) => s.manifest.chunks.map(async (c) => gunzipSync(await artifacts.get(c.key)).toString())))).join('');
    expect(text).not.toContain('"author"');
    const cold: StoredEvent[] = [];
    for await (const batch of coldEvents(a.store, artifacts)) cold.push(...batch);
    const decisions = cold.filter((e) => e.type === EventType.DecisionMade).map((e) => e.data as DecisionData);
    const bob = decisions.find((d) => contexts.get(d.decisionId)?.subject === 'bob')!;
    const alice = decisions.find((d) => contexts.get(d.decisionId)?.subject === 'alice')!;
    expect(bob.context).toEqual(contexts.get(bob.decisionId)!.stored);
    await expect(sec.protector.reveal(bob.context)).rejects.toThrow();
    await expect(sec.protector.reveal(alice.context)).resolves.toMatchObject({ author: 'alice' });
  });
});
