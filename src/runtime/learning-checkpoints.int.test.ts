import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { EventType, type NewEvent } from '../core/events.js';
import { uuidv7 } from '../core/ids.js';
import { compareCursors, type Cursor } from '../log/events/event-store.js';
import { createPostgresEventStore } from '../log/events/postgres-event-store.js';
import { decisionEvent, outcomeEvent } from '../log/events/testing/fixtures.js';
import { pollUntil } from '../../test/support/poll-until.js';
import { PG_URL, createTestSchema, type TestSchema } from '../../test/support/services.js';
import { createApprentice } from './create-apprentice.js';
import { installLearning } from './install-learning.js';
import { defaultProjections } from './projections.js';

const estimator = {
  name: 'estimator',
  kind: 'regression',
  feedback: 'label',
  features: [
    { name: 'files', type: 'numeric' },
    { name: 'area', type: 'categorical', vocabulary: ['api', 'ui', 'infra'] },
  ],
};
const FOLLOWERS = ['shadow-stats', 'served-quality', 'version-quality', 'training'];

/** A history of `n` events: decisions of the agent, half with a shadow prediction, most with an outcome. */
async function prefill(schema: string, n: number): Promise<Cursor> {
  const store = createPostgresEventStore({ connectionString: PG_URL, schema, maxConnections: 2, projections: defaultProjections });
  await store.migrate();
  let written = 0;
  let i = 0;
  while (written < n) {
    const batch: NewEvent[] = [];
    while (batch.length < 1000 && written + batch.length < n) {
      const files = i % 37;
      const area = ['api', 'ui', 'infra'][i % 3]!;
      const d = decisionEvent({ agent: 'estimator', value: files / 4, deterministic: files / 4, source: i % 5 === 0 ? 'ml' : 'deterministic', ...(i % 5 === 0 ? { modelVersion: 1 } : {}), features: { files, area } });
      batch.push(d);
      if (i % 2 === 0)
        batch.push({
          id: uuidv7(),
          type: EventType.ShadowPredicted,
          stream: d.stream,
          data: { decisionId: d.data.decisionId, agent: 'estimator', unitId: d.data.unitId, modelVersion: 1, rulesValue: files / 4, modelValue: files / 3, agree: false, latencyMs: 0.3 },
          metadata: { actor: 'shadow' },
          time: new Date().toISOString(),
        });
      if (i % 10 !== 0) batch.push(outcomeEvent(d.data.decisionId, { agent: 'estimator', value: files / 3, reward: undefined }));
      i++;
    }
    await store.append(batch);
    written += batch.length;
  }
  const [last] = await store.query<{ t: string; p: string }>('SELECT transaction_id::text AS t, position::text AS p FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1');
  await store.close();
  return { transactionId: BigInt(last!.t), position: BigInt(last!.p) };
}

/**
 * Rows PostgreSQL read from the event log's tables and indexes in `schema` (sequential tuples
 * read + index entries read, over every partition): what every reader of the service cost,
 * not what one query says. Counted once the service's connections are gone (a backend reports
 * its counts when it exits) and the figure is stable.
 */
async function eventRowsRead(schema: string): Promise<number> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const read = async (): Promise<number> => {
      const [r] = (
        await c.query<{ n: string }>(
          `SELECT (COALESCE((SELECT sum(seq_tup_read) FROM pg_stat_user_tables WHERE schemaname = $1 AND relname LIKE 'events%'), 0)
                 + COALESCE((SELECT sum(idx_tup_read) FROM pg_stat_user_indexes WHERE schemaname = $1 AND relname LIKE 'events%'), 0))::text AS n`,
          [schema],
        )
      ).rows;
      return Number(r!.n);
    };
    await pollUntil(async () => Number((await c.query<{ n: string }>('SELECT count(*)::text AS n FROM pg_stat_activity WHERE application_name = $1', [schema])).rows[0]!.n) === 0, {
      timeoutMs: 20_000,
      message: "the service's connections to close",
    });
    let last = -1;
    return await pollUntil(
      async () => {
        const now = await read();
        const stable = now === last;
        last = now;
        return stable ? now : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 1500, message: 'the table statistics to settle' },
    );
  } finally {
    await c.end();
  }
}

/** Start the service on `schema`, let every follower checkpoint past `until`, stop it. */
async function run(schema: string, dataDir: string, until: Cursor | 'one new outcome'): Promise<void> {
  const databaseUrl = `${PG_URL}?application_name=${schema}&options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const a = await createApprentice({ config: { databaseUrl, dataDir, mlEnabled: true } });
  const learning = await installLearning(a, { pool: false, training: true, checkpointEveryMs: 300, agents: [{ definition: estimator }] });
  try {
    let target: Cursor;
    if (until === 'one new outcome') {
      const d = learning.engine.decide('estimator', 'unit-after-restart', { files: 3, area: 'ui' }, 0.75);
      const { eventId } = await a.recordOutcome(d.decisionId, { value: 1 });
      await a.writer.flush();
      // One primary-key probe (counted like every read here, the same for both histories).
      const r = await pollUntil(
        async () => (await a.store.query<{ t: string; p: string }>('SELECT transaction_id::text AS t, position::text AS p FROM events WHERE id = $1', [eventId]))[0],
        { timeoutMs: 20_000, message: 'the new outcome in the log' },
      );
      target = { transactionId: BigInt(r.t), position: BigInt(r.p) };
    } else target = until;
    await pollUntil(
      async () => {
        const rows = await a.store.query<{ name: string; t: string; p: string }>('SELECT name, transaction_id::text AS t, position::text AS p FROM consumer_checkpoints');
        const past = rows.filter((r) => compareCursors({ transactionId: BigInt(r.t), position: BigInt(r.p) }, target) >= 0);
        // Every follower that checkpoints (these four at least) is past the target.
        return past.length === rows.length && FOLLOWERS.every((name) => past.some((r) => r.name === name));
      },
      { timeoutMs: 150_000, intervalMs: 100, message: 'every follower to checkpoint past the log' },
    );
  } finally {
    await learning.stop();
    await a.close();
  }
}

interface Measured {
  firstRun: number;
  restart: number;
  samplesFirst: number;
  samplesRestart: number;
}

async function trainedSamples(schema: string): Promise<number> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const [t] = (await c.query<{ state: string }>(`SELECT state FROM ${schema}.consumer_checkpoints WHERE name = 'training'`)).rows;
    return (JSON.parse(t!.state) as { agents: { trainer: { samples: number } }[] }).agents[0]!.trainer.samples;
  } finally {
    await c.end();
  }
}

async function measure(schema: TestSchema, n: number): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'apprentice-ckpt-'));
  try {
    const head = await prefill(schema.schema, n);
    const before = await eventRowsRead(schema.schema);
    await run(schema.schema, dir, head);
    const afterFirst = await eventRowsRead(schema.schema);
    const samplesFirst = await trainedSamples(schema.schema);
    await run(schema.schema, dir, 'one new outcome');
    const afterRestart = await eventRowsRead(schema.schema);
    return { firstRun: afterFirst - before, restart: afterRestart - afterFirst, samplesFirst, samplesRestart: await trainedSamples(schema.schema) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a restart resumes the log followers from their checkpoints: its reads do not grow with the log', () => {
  const schemas: TestSchema[] = [];
  const results = new Map<number, Measured>();
  afterAll(async () => {
    for (const s of schemas) await s.drop();
  });

  for (const n of [10_000, 100_000]) {
    it(`history of ${n} events`, { timeout: 240_000 }, async () => {
      const schema = await createTestSchema('ckpt');
      schemas.push(schema);
      const m = await measure(schema, n);
      results.set(n, m);
      // The first start reads the whole history (the statistics do see the reads).
      expect(m.firstRun).toBeGreaterThanOrEqual(n);
      // The first start trained on the history's outcomes; the restarted trainer went on from its
      // checkpoint: the one new outcome was its next sample.
      expect(m.samplesFirst).toBeGreaterThan((n / 2.4) * 0.9 * 0.95);
      expect(m.samplesRestart).toBe(m.samplesFirst + 1);
    });
  }

  it('restart cost: the same rows read after 10,000 or 100,000 events, within a small constant', () => {
    const small = results.get(10_000)!;
    const large = results.get(100_000)!;
    console.log(`rows read — first start: ${small.firstRun} (10k) / ${large.firstRun} (100k); restart: ${small.restart} (10k) / ${large.restart} (100k)`);
    expect(large.firstRun).toBeGreaterThan(small.firstRun * 5);
    expect(large.restart).toBeLessThanOrEqual(small.restart + 200);
    expect(large.restart).toBeLessThan(2000);
  });
});
