import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample } from '../../test/support/exposition.js';
import { pollUntil } from '../../test/support/poll-until.js';
import { EventType, type NewEvent } from '../core/index.js';
import { createFsArtifactStore } from '../learning/registry/artifacts/fs-artifact-store.js';
import { monthBounds } from '../log/events/partitions.js';
import { createPgliteEventStore } from '../log/events/pglite-event-store.js';
import type { SqlEventStore } from '../log/events/sql-event-store.js';
import { decisionEvent, outcomeEvent } from '../log/events/testing/fixtures.js';
import { issueToken } from '../security/auth/authenticate.js';
import { buildServer } from '../server/app.js';
import { adminRoutes } from './admin-routes.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { installSecurity, sqlClientOf } from './install-security.js';
import { defaultProjections } from './projections.js';
import { createTieringJob, installTiering, tierIntervalMs, type TieringJob } from './tiering-job.js';
import { attachColdTier, coldSegments } from './tiering.js';

/** January of last year: a month whose range ended more than 30 days ago. */
const START = new Date(Date.UTC(new Date().getUTCFullYear() - 1, 0, 1));
const MONTH = monthBounds(START.getUTCFullYear(), 0);

/** `n` decisions with their outcomes inside that month, in their own partition. */
async function seedOldMonth(store: Pick<SqlEventStore, 'query' | 'append'>, n: number): Promise<void> {
  await store.query(`CREATE TABLE ${MONTH.name} PARTITION OF events FOR VALUES FROM ('${MONTH.from}') TO ('${MONTH.to}')`);
  const events: NewEvent[] = [];
  for (let i = 0; i < n; i++) {
    const t = new Date(START.getTime() + 86_400_000 + i * 1000);
    const hex = t.getTime().toString(16).padStart(12, '0');
    const id = (k: number): string => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${k.toString(16).padStart(3, '0')}-8000-${i.toString(16).padStart(12, '0')}`;
    events.push({ ...decisionEvent({ decisionId: id(1) }, t), id: id(2) }, { ...outcomeEvent(id(1), { reward: i % 2 }, t), id: id(3) });
  }
  await store.append(events);
}

describe('scheduled tiering', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprentice-tier-job-'));
  let store: SqlEventStore;
  let job: TieringJob | undefined;
  beforeAll(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://', projections: defaultProjections });
    await store.migrate();
    await seedOldMonth(store, 30);
    attachColdTier(store, async () => createFsArtifactStore(dir));
  }, 120_000);
  afterAll(async () => {
    await job?.stop();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the interval: daily with PostgreSQL, never embedded, unless configured', () => {
    expect(tierIntervalMs({ databaseUrl: 'postgres://x@h/db' })).toBe(86_400_000);
    expect(tierIntervalMs({})).toBe(0);
    expect(tierIntervalMs({ tierIntervalHours: 0.5 })).toBe(1_800_000);
    expect(tierIntervalMs({ tierIntervalHours: 0, databaseUrl: 'postgres://x@h/db' })).toBe(0);
  });

  it('does nothing while this instance is not the leader', async () => {
    let asked = 0;
    const follower = createTieringJob({ db: store.client, artifacts: createFsArtifactStore(dir), olderThanDays: 30, intervalMs: 20, firstDelayMs: 0, isLeader: () => (asked++, false) });
    follower.start();
    await pollUntil(() => (asked >= 3 ? true : undefined), { timeoutMs: 10_000, message: 'three scheduled ticks' });
    await follower.stop();
    expect(await coldSegments(store)).toEqual([]);
    expect(await store.query(`SELECT 1 FROM pg_class WHERE relname = $1`, [MONTH.name])).toHaveLength(1);
  });

  it('moves a partition older than N days out on its schedule, and replay still sees its events', async () => {
    const results: unknown[] = [];
    job = createTieringJob({ db: store.client, artifacts: createFsArtifactStore(dir), olderThanDays: 30, intervalMs: 50, firstDelayMs: 0, onResult: (r) => results.push(r) });
    job.start();
    const [segment] = await pollUntil(async () => {
      const s = await coldSegments(store);
      return s.length > 0 ? s : undefined;
    }, { timeoutMs: 30_000, message: 'the scheduled run to tier the old partition' });
    expect(segment!.partition).toBe(MONTH.name);
    expect(segment!.rows).toBe(60);
    expect(await store.query(`SELECT 1 FROM pg_class WHERE relname = $1`, [MONTH.name])).toEqual([]);
    const [audit] = await store.query<{ actor: string }>(`SELECT metadata->>'actor' AS actor FROM events WHERE type = $1`, [EventType.EventPartitionTiered]);
    expect(audit?.actor).toBe('tiering-job');
    // Later runs find nothing more to do.
    await pollUntil(() => (results.length >= 2 ? true : undefined), { timeoutMs: 10_000, message: 'a second scheduled run' });
    expect(results.at(-1)).toMatchObject({ tiered: [], failed: [], carved: [] });
    await store.replay();
    const [n] = await store.query<{ d: number; o: number }>('SELECT (SELECT count(*) FROM decision_rows)::int AS d, (SELECT count(*) FROM outcomes)::int AS o');
    expect(n).toEqual({ d: 30, o: 30 });
  });
});

describe('POST /api/v1/admin/tier', () => {
  let dir: string;
  let a: Apprentice;
  let app: FastifyInstance;
  let job: TieringJob | undefined;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-tier-route-'));
    a = await createApprentice({ config: { dataDir: dir, requireAuth: true, logLevel: 'silent' }, projector: false });
    const sec = await installSecurity(a, { env: {} });
    const artifacts = createFsArtifactStore(join(dir, 'artifacts'));
    // Embedded: no schedule by default, the route still runs.
    job = installTiering(a, artifacts, { schedule: true });
    app = await buildServer(a, { routes: [...sec.server.routes, adminRoutes(a, artifacts, job)], context: sec.server.context });
    for (const role of ['viewer', 'operator', 'admin'] as const) tokens[role] = (await issueToken(sec.tokens, { name: `test-${role}`, role })).token;
    await seedOldMonth(a.store as SqlEventStore, 10);
  }, 120_000);
  afterAll(async () => {
    await job?.stop();
    await app?.close();
    await a?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('needs the admin scope, tiers, and records the token as the audit actor with the reason', async () => {
    expect(sqlClientOf(a)).toBeDefined();
    const call = (token?: string) =>
      app.inject({ method: 'POST', url: '/api/v1/admin/tier', headers: token ? { authorization: `Bearer ${token}` } : {}, payload: { olderThanDays: 30, reason: 'quarterly tiering' } });
    expect((await call()).statusCode).toBe(401);
    expect((await call(tokens.viewer)).statusCode).toBe(403);
    expect((await call(tokens.operator)).statusCode).toBe(403);
    expect(await coldSegments(a.store)).toEqual([]);
    const r = await call(tokens.admin);
    expect(r.statusCode, r.body).toBe(200);
    expect((r.json() as { tiered: { partition: string; rows: number }[] }).tiered.map((t) => [t.partition, t.rows])).toEqual([[MONTH.name, 20]]);
    const rows = await a.store.query<{ actor: string; reason: string; partition: string }>(
      `SELECT metadata->>'actor' AS actor, metadata->>'reason' AS reason, data->>'partition' AS partition FROM events WHERE type = $1`,
      [EventType.EventPartitionTiered],
    );
    expect(rows).toEqual([{ actor: 'test-admin', reason: 'quarterly tiering', partition: MONTH.name }]);
    // What an operator sees on /metrics: one partition tiered, none failed.
    const text = await a.registry.metrics();
    expect(sample(text, 'apprentice_tier_partitions_total', { result: 'tiered' })).toBe(1);
    expect(sample(text, 'apprentice_tier_partitions_total', { result: 'failed' })).toBeUndefined();
    const bad = await app.inject({ method: 'POST', url: '/api/v1/admin/tier', headers: { authorization: `Bearer ${tokens.admin}` }, payload: { olderThanDays: 0 } });
    expect(bad.statusCode).toBe(400);
  });
});
