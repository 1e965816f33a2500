import { randomBytes, createHash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { NewEvent } from '../src/core/events.js';
import { uuidv7 } from '../src/core/ids.js';
import { createPostgresEventStore } from '../src/log/events/postgres-event-store.js';
import { decisionEvent, outcomeEvent } from '../src/log/events/testing/fixtures.js';
import { createFsArtifactStore } from '../src/learning/registry/artifacts/fs-artifact-store.js';
import { defaultProjections } from '../src/runtime/projections.js';
import { coldSegments, tierPartitions } from '../src/runtime/tiering.js';
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

/**
 * What compressing each event's `data` in the application would store, per decision: raw deflate
 * with a preset dictionary per event type (50 other events of the type, as a trained dictionary
 * would hold their keys and common values), over a sample of the stored rows. PostgreSQL itself
 * compresses only rows over ~2 KB (TOAST_TUPLE_THRESHOLD, a build-time constant).
 */
async function dictionaryDeflate(admin: pg.Client, schema: string): Promise<{ raw: number; deflated: number }> {
  const types = ['DecisionMade', 'ShadowPredicted', 'OutcomeRecorded'];
  let raw = 0;
  let deflated = 0;
  let decisions = 0;
  for (const type of types) {
    const rows = (await admin.query<{ d: string }>(`SELECT data::text AS d FROM ${schema}.events WHERE type = $1 ORDER BY position LIMIT 2050`, [type])).rows;
    const dictionary = Buffer.from(rows.slice(0, 50).map((r) => r.d).join(''));
    const sample = rows.slice(50);
    if (type === 'DecisionMade') decisions = sample.length;
    for (const r of sample) {
      const b = Buffer.from(r.d);
      raw += b.byteLength;
      deflated += deflateRawSync(b, { level: 9, dictionary }).byteLength;
    }
  }
  return { raw: raw / Math.max(1, decisions), deflated: deflated / Math.max(1, decisions) };
}

/** Bytes on disk per decision (tables, TOAST and indexes) over the bytes of the JSON stored; then the same after tiering the partition. */
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
    const onDisk = async (): Promise<Map<string, number>> => {
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
      return groups;
    };
    const groups = await onDisk();
    // Where the bytes go, relation by relation (heap, TOAST, each index), for docs/benchmarks.md.
    const relations = (
      await admin.query<{ relname: string; kind: string; bytes: string }>(
        `SELECT c.relname, c.relkind::text AS kind, (pg_relation_size(c.oid) + coalesce(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0))::text AS bytes
         FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'i')
         ORDER BY pg_relation_size(c.oid) + coalesce(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0) DESC`,
        [schema],
      )
    ).rows.filter((r) => Number(r.bytes) / N >= 1);
    const where = relations.map((r) => `${r.relname} ${(Number(r.bytes) / N).toFixed(0)}`).join(', ');
    const total = [...groups.values()].reduce((a, b) => a + b, 0);
    const perDecision = total / N;
    const payloadPer = Number(payload!.b) / N;
    const ratio = perDecision / payloadPer;
    const top = [...groups].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => `${k} ${(v / N).toFixed(0)} B`).join(', ');
    const compressed = await dictionaryDeflate(admin, schema);
    const [lz4] = (await admin.query<{ c: string | null }>(`SELECT attcompression::text AS c FROM pg_attribute WHERE attrelid = '${schema}.events'::regclass AND attname = 'data'`)).rows;

    // Cold tier: the same log once its partition is older than 90 days (a clock 400 days ahead),
    // tiered to gzip'd NDJSON in a filesystem artifact store. What stays: the projections, and the
    // hot table's other partitions.
    const dir = mkdtempSync(join(tmpdir(), 'bench-tier-'));
    let tieredFigure: Figure;
    try {
      const artifacts = createFsArtifactStore(dir);
      const r = await tierPartitions({ db: store.client, artifacts, olderThanDays: 90, now: new Date(Date.now() + 400 * 86_400_000), actor: 'bench' });
      if (r.failed.length > 0) throw new Error(`tiering failed: ${JSON.stringify(r.failed)}`);
      await admin.query(`VACUUM ANALYZE`);
      const hot = [...(await onDisk()).values()].reduce((a, b) => a + b, 0);
      const segments = await coldSegments(store);
      const cold = segments.reduce((n, s) => n + s.manifest.chunks.reduce((m, c) => m + c.bytes, 0), 0);
      const rows = segments.reduce((n, s) => n + s.rows, 0);
      const perTiered = (hot + cold) / N;
      tieredFigure = fig({
        name: 'bytes-per-decision-tiered',
        value: perTiered,
        unit: 'B',
        target: '<= 1.5x payload',
        ok: perTiered / payloadPer <= 1.5,
        baseline: payloadPer,
        ratio: perTiered / payloadPer,
        note: `after apprentice tier: hot ${(hot / N).toFixed(0)} B (projections and empty partitions) + cold ${(cold / N).toFixed(0)} B gzip'd NDJSON of ${rows} events in ${segments.reduce((n, s) => n + s.manifest.chunks.length, 0)} chunk(s)`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return [
      fig({
        name: 'bytes-per-decision',
        value: perDecision,
        unit: 'B',
        target: '<= 1.5x payload',
        ok: ratio <= 1.5,
        baseline: payloadPer,
        ratio,
        note: `${N} decisions, each with its shadow prediction and outcome; payload = JSON of data + metadata of the 3 events; ${top}; column compression ${({ l: 'lz4', p: 'pglz' } as Record<string, string>)[lz4?.c ?? ''] ?? 'default'} (applies to rows over ~2 KB only); data as JSON text ${compressed.raw.toFixed(0)} B, deflated with a per-type dictionary ${compressed.deflated.toFixed(0)} B (what compressing the payload in the application would store); per relation (B per decision): ${where}`,
      }),
      tieredFigure,
    ];
  } finally {
    await store.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

const suite: BenchSuite = {
  name: 'storage',
  figures: ['bytes-per-decision', 'bytes-per-decision-tiered'],
  async run() {
    return bytesPerDecision();
  },
};
export default suite;
