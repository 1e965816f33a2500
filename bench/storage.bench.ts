import { randomBytes, createHash } from 'node:crypto';
import pg from 'pg';
import type { NewEvent } from '../src/core/events.js';
import { uuidv7 } from '../src/core/ids.js';
import { createPostgresEventStore } from '../src/log/events/postgres-event-store.js';
import { decisionEvent, outcomeEvent } from '../src/log/events/testing/fixtures.js';
import { defaultProjections } from '../src/runtime/projections.js';
import { fig, type BenchSuite, type Figure } from './harness.js';

const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const N = Number(process.env.BENCH_STORAGE_DECISIONS ?? 50_000);

/**
 * One decision as the service writes it: `DecisionMade` (features and context as the engine
 * logs them), its `ShadowPredicted` and its `OutcomeRecorded`.
 */
function decisionTriple(i: number, t: Date): NewEvent[] {
  const context = {
    storyPoints: (i % 13) + 1,
    filesTouched: i % 40,
    linesChanged: (i * 37) % 2000,
    language: ['ts', 'go', 'py', 'rs'][i % 4],
    author: `dev-${i % 50}`,
    repo: `service-${i % 12}`,
    hasTests: i % 3 === 0,
    labels: ['backend', i % 2 ? 'bug' : 'feature'],
  };
  const features = { storyPoints: context.storyPoints, filesTouched: context.filesTouched, linesChanged: context.linesChanged, language: context.language, hasTests: context.hasTests };
  const d = decisionEvent(
    {
      agent: 'detektor-coder',
      unitId: `task-${i}`,
      value: 6.5,
      deterministic: 6.5,
      features,
      context,
      contextHash: createHash('sha256').update(JSON.stringify(context)).digest('hex'),
    } as never,
    t,
  );
  const id = d.data.decisionId;
  const shadow: NewEvent = {
    id: uuidv7(t.getTime() + 1),
    type: 'ShadowPredicted',
    stream: d.stream,
    data: { decisionId: id, agent: 'detektor-coder', unitId: `task-${i}`, modelVersion: 3, rulesValue: 6.5, modelValue: 7.1, agree: false, latencyMs: 0.4 },
    metadata: { actor: 'shadow' },
    time: new Date(t.getTime() + 1).toISOString(),
  };
  const o = outcomeEvent(id, { agent: 'detektor-coder', value: 7, reward: undefined }, new Date(t.getTime() + 2));
  return [d, shadow, o];
}

/** Bytes on disk per decision (tables, TOAST and indexes) over the bytes of the JSON stored. */
async function bytesPerDecision(): Promise<Figure[]> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const store = createPostgresEventStore({ connectionString: PG_URL, schema, maxConnections: 2, projections: defaultProjections });
  try {
    await store.migrate();
    const t0 = Date.now();
    for (let i = 0; i < N; i += 1000) {
      const events: NewEvent[] = [];
      for (let j = i; j < Math.min(N, i + 1000); j++) events.push(...decisionTriple(j, new Date(t0 + j * 3)));
      await store.append(events);
    }
    await admin.query(`VACUUM ANALYZE`);
    const [payload] = (
      await admin.query<{ b: string }>(`SELECT sum(octet_length(data::text) + octet_length(metadata::text))::text AS b FROM ${schema}.events`)
    ).rows;
    const tables = (
      await admin.query<{ relname: string; bytes: string }>(
        `SELECT c.relname, pg_total_relation_size(c.oid)::text AS bytes FROM pg_class c
         WHERE c.relnamespace = $1::regnamespace AND c.relkind = 'r' ORDER BY 2 DESC`,
        [schema],
      )
    ).rows;
    const groups = new Map<string, number>();
    for (const t of tables) {
      const g = t.relname.startsWith('events') ? 'events' : t.relname;
      groups.set(g, (groups.get(g) ?? 0) + Number(t.bytes));
    }
    const total = [...groups.values()].reduce((a, b) => a + b, 0);
    const perDecision = total / N;
    const payloadPer = Number(payload!.b) / N;
    const ratio = perDecision / payloadPer;
    const top = [...groups].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => `${k} ${(v / N).toFixed(0)} B`).join(', ');
    const [lz4] = (await admin.query<{ c: string | null }>(`SELECT attcompression::text AS c FROM pg_attribute WHERE attrelid = '${schema}.events'::regclass AND attname = 'data'`)).rows;
    return [
      fig({
        name: 'bytes-per-decision',
        value: perDecision,
        unit: 'B',
        target: '<= 1.5x payload',
        ok: ratio <= 1.5,
        baseline: payloadPer,
        ratio,
        note: `${N} decisions, each with its shadow prediction and outcome; payload = JSON of data + metadata of the 3 events; ${top}; column compression ${lz4?.c || 'default'}`,
      }),
    ];
  } finally {
    await store.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

const suite: BenchSuite = {
  name: 'storage',
  figures: ['bytes-per-decision'],
  async run() {
    return bytesPerDecision();
  },
};
export default suite;
