import { createHash } from 'node:crypto';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { ConflictError, EventType, IntegrityError, ValidationError, type StoredEvent } from '../core/index.js';
import { uuidv7Time } from '../core/index.js';
import type { ArtifactStore } from '../learning/index.js';
import { HIGH_VOLUME_TYPES, carveDefaultPartition, type ColdTier, type EventStore, type SqlClient } from '../log/index.js';
import { controlEvent } from '../security/index.js';

/**
 * Cold tiering of the event log (issue 15). The log is partitioned by month of the UUIDv7 id
 * (src/log/events/partitions.ts). `tierPartitions` takes every monthly partition whose range
 * ended more than `olderThanDays` ago and:
 *
 * 1. writes its decision-rate events (`DecisionMade`, `ShadowPredicted`, `OutcomeRecorded`), in
 *    global order, as gzip'd NDJSON chunks to the artifact store, with a manifest (partition
 *    range, row counts, sha256 of the rows, schema version, one entry per chunk);
 * 2. reads every chunk back and checks it against the manifest, then records the segment as
 *    `written` in `event_segments` (migration 065);
 * 3. in one transaction: locks the partition, checks that it still holds exactly the rows
 *    written, detaches and drops it, puts its other events (agents, flags, rollouts, registry,
 *    the audit trail: a few rows a month) back into the hot table with their position and
 *    transaction id unchanged, marks the segment `tiered` and records `EventPartitionTiered`.
 *
 * A failure anywhere before 3 commits (a crash, a lock that cannot be had, a row appended
 * meanwhile) leaves the partition whole and a re-run starts over: chunks are content-addressed,
 * so writing them again is a no-op. Nothing is dropped that is not in a verified segment.
 *
 * Readers: `replay` reads the cold segments before the hot table and `readStream('decision-<id>')`
 * reads a tiered stream out of them, through the store's cold tier (`attachColdTier`; without it
 * `readStream` refuses, naming the segment); `backup` writes them as events before the hot ones.
 * Subscriptions and `readAll` see the hot table only. The payload is copied as stored: contexts
 * encrypted under a subject's key stay encrypted, so erasing the key (crypto-shredding) holds on
 * cold data too. The `decisions` view reads features and context from the event: for a tiered
 * decision they are null (the projection row itself stays).
 */

export const SEGMENT_FORMAT = 'apprentice-cold-segment';
export const SEGMENT_VERSION = 1;
/** Event types that leave the hot table when their partition is tiered. */
export const COLD_TYPES: readonly string[] = [...HIGH_VOLUME_TYPES].sort();
/**
 * The same as a SQL literal list: with literals the planner proves the predicate of the partial
 * type index (`events_type_order`, the other types) and reads what stays hot through it.
 */
const COLD_LIST = `(${COLD_TYPES.map((t) => `'${t.replace(/'/g, "''")}'`).join(', ')})`;

/** A cursor as the manifest writes it (decimal strings: they exceed 2^53). */
export interface ManifestCursor {
  readonly transactionId: string;
  readonly position: string;
}

export interface SegmentChunk {
  /** Artifact key of the gzip'd NDJSON (its content address). */
  readonly key: string;
  readonly rows: number;
  /** sha256 of the uncompressed NDJSON. */
  readonly rawSha256: string;
  readonly rawBytes: number;
  readonly bytes: number;
  readonly first: ManifestCursor;
  readonly last: ManifestCursor;
}

/**
 * What a segment holds: written to the artifact store beside its chunks, and kept in
 * `event_segments`. Nothing in it depends on when it was written, so a re-run writes the same
 * manifest under the same key (when: `event_segments.written_at` and the audit event).
 */
export interface SegmentManifest {
  readonly format: typeof SEGMENT_FORMAT;
  readonly version: number;
  /** Highest migration applied when the segment was written: the shape of `data` it holds. */
  readonly schemaVersion: number;
  readonly partition: string;
  readonly range: { readonly fromId: string; readonly toId: string; readonly from: string; readonly to: string };
  readonly types: readonly string[];
  /** Events in the segment. */
  readonly rows: number;
  /** Events of other types the partition held, kept in the hot table. */
  readonly keptHot: number;
  /** sha256 of every chunk's NDJSON, concatenated in order. */
  readonly sha256: string;
  readonly compression: 'gzip';
  readonly first: ManifestCursor | null;
  readonly last: ManifestCursor | null;
  readonly chunks: readonly SegmentChunk[];
}

export interface TierOptions {
  /** The event store's SQL client. */
  readonly db: SqlClient;
  readonly artifacts: ArtifactStore;
  /** Partitions whose range ended more than this many days ago are tiered. */
  readonly olderThanDays: number;
  readonly actor: string;
  readonly reason?: string | undefined;
  /** Default now. */
  readonly now?: Date;
  /** Events per chunk. Default 20,000 (a few MB of NDJSON). */
  readonly chunkRows?: number;
  /** Longest wait for the partition's lock at the drop, ms. Default 5000. */
  readonly lockTimeoutMs?: number;
  /** Called after each partition (tiered or failed). */
  readonly onPartition?: (p: TieredPartition | FailedPartition) => void;
}

export interface TieredPartition {
  readonly partition: string;
  readonly rows: number;
  readonly keptHot: number;
  readonly chunks: number;
  /** Compressed bytes written to the artifact store. */
  readonly bytes: number;
  readonly manifestKey: string;
  readonly sha256: string;
  readonly eventId: string;
}

export interface FailedPartition {
  readonly partition: string;
  /** Where it stopped. The partition is whole in every case; at `drop` its segment is written and verified, and a re-run finishes it. */
  readonly stage: 'write' | 'verify' | 'drop';
  readonly error: string;
}

export interface TierResult {
  readonly cutoff: string;
  /** Dated partitions made out of the default partition's old months first (see `carveDefaultPartition`). */
  readonly carved: readonly string[];
  readonly tiered: readonly TieredPartition[];
  readonly failed: readonly FailedPartition[];
}

/** A `query` surface: the event store or its SQL client. */
interface Queryable {
  query<R extends Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

const NAME_RE = /^[a-z_][a-z0-9_]{0,62}$/;
const BOUND_RE = /FROM \('([0-9a-f-]{36})'\) TO \('([0-9a-f-]{36})'\)/;

interface PartitionRow {
  readonly name: string;
  readonly fromId: string;
  readonly toId: string;
}

/** The range partitions of `events` (not the default one), oldest first. */
export async function eventPartitions(db: Queryable): Promise<PartitionRow[]> {
  const rows = await db.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass`,
  );
  const out: PartitionRow[] = [];
  for (const r of rows) {
    const m = BOUND_RE.exec(r.bound);
    if (m && NAME_RE.test(r.name)) out.push({ name: r.name, fromId: m[1]!, toId: m[2]! });
  }
  return out.sort((a, b) => (a.fromId < b.fromId ? -1 : 1));
}

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');
const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();

interface ExportRow extends Record<string, unknown> {
  position: string;
  transaction_id: string;
  id: string;
  type: string;
  stream: string;
  data: string;
  metadata: string;
  time: Date | string;
}

/** One NDJSON line: the envelope, then `data` and `metadata` as PostgreSQL printed them (exact). */
const line = (r: ExportRow): string =>
  `{"position":"${r.position}","transactionId":"${r.transaction_id}","id":${JSON.stringify(r.id)},"type":${JSON.stringify(r.type)},` +
  `"stream":${JSON.stringify(r.stream)},"time":"${iso(r.time)}","data":${r.data},"metadata":${r.metadata}}\n`;

/** Writes the partition's cold events as chunks and the manifest; returns the manifest and its key. */
async function writeSegment(o: TierOptions, p: PartitionRow, schemaVersion: number): Promise<{ manifest: SegmentManifest; manifestKey: string }> {
  const chunkRows = o.chunkRows ?? 20_000;
  const whole = createHash('sha256');
  const chunks: SegmentChunk[] = [];
  let after: ManifestCursor = { transactionId: '0', position: '0' };
  let rows = 0;
  for (;;) {
    // ORDER BY names the table's columns (e.): bare names would sort by the text aliases.
    const page = await o.db.query<ExportRow>(
      `SELECT position::text AS position, transaction_id::text AS transaction_id, id::text AS id, type, stream,
         data::text AS data, metadata::text AS metadata, time
       FROM "${p.name}" e WHERE e.type = ANY($1::text[]) AND (e.transaction_id, e.position) > ($2::text::xid8, $3::bigint)
       ORDER BY e.transaction_id, e.position LIMIT $4`,
      [COLD_TYPES, after.transactionId, after.position, chunkRows],
    );
    if (page.length === 0) break;
    const text = page.map(line).join('');
    whole.update(text);
    const raw = Buffer.from(text);
    const gz = gzipSync(raw, { level: constants.Z_BEST_COMPRESSION });
    const stored = await o.artifacts.put(gz);
    const first = page[0]!;
    const last = page[page.length - 1]!;
    chunks.push({
      key: stored.key,
      rows: page.length,
      rawSha256: sha256(raw),
      rawBytes: raw.byteLength,
      bytes: gz.byteLength,
      first: { transactionId: first.transaction_id, position: first.position },
      last: { transactionId: last.transaction_id, position: last.position },
    });
    rows += page.length;
    after = { transactionId: last.transaction_id, position: last.position };
    if (page.length < chunkRows) break;
  }
  const [hot] = await o.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${p.name}" WHERE type NOT IN ${COLD_LIST}`);
  const manifest: SegmentManifest = {
    format: SEGMENT_FORMAT,
    version: SEGMENT_VERSION,
    schemaVersion,
    partition: p.name,
    range: { fromId: p.fromId, toId: p.toId, from: new Date(uuidv7Time(p.fromId)).toISOString(), to: new Date(uuidv7Time(p.toId)).toISOString() },
    types: COLD_TYPES,
    rows,
    keptHot: Number(hot?.n ?? 0),
    sha256: whole.digest('hex'),
    compression: 'gzip',
    first: chunks[0]?.first ?? null,
    last: chunks[chunks.length - 1]?.last ?? null,
    chunks,
  };
  const stored = await o.artifacts.put(Buffer.from(JSON.stringify(manifest)));
  return { manifest, manifestKey: stored.key };
}

/** Reads a chunk back and checks it against its manifest entry; returns its NDJSON. */
async function readChunk(artifacts: ArtifactStore, c: SegmentChunk): Promise<string> {
  const gz = await artifacts.get(c.key);
  if (`sha256/${sha256(gz)}` !== c.key) throw new IntegrityError(`cold chunk ${c.key}: its bytes do not match their address`);
  const raw = gunzipSync(gz);
  if (sha256(raw) !== c.rawSha256) throw new IntegrityError(`cold chunk ${c.key}: sha256 of its NDJSON differs from the manifest`);
  return raw.toString('utf8');
}

/** Reads every chunk of a written segment back from the artifact store: digests, counts and order. */
export async function verifySegment(artifacts: ArtifactStore, manifest: SegmentManifest, manifestKey: string): Promise<void> {
  const m = JSON.parse(Buffer.from(await artifacts.get(manifestKey)).toString('utf8')) as SegmentManifest;
  if (m.sha256 !== manifest.sha256 || m.rows !== manifest.rows) throw new IntegrityError(`cold manifest ${manifestKey} differs from the one written`);
  const whole = createHash('sha256');
  let rows = 0;
  for (const c of manifest.chunks) {
    const text = await readChunk(artifacts, c);
    whole.update(text);
    const n = text.length === 0 ? 0 : text.split('\n').length - 1;
    if (n !== c.rows) throw new IntegrityError(`cold chunk ${c.key}: ${n} rows, manifest says ${c.rows}`);
    rows += n;
  }
  if (rows !== manifest.rows || whole.digest('hex') !== manifest.sha256)
    throw new IntegrityError(`cold segment ${manifest.partition}: ${rows} rows read back, manifest says ${manifest.rows}, or its sha256 differs`);
}

/**
 * Tiers every partition of `events` whose range ended before `now - olderThanDays` (see the
 * module comment). Partitions that fail are reported in `failed` and left whole.
 * @example
 * const r = await tierPartitions({ db: sqlClientOf(a)!, artifacts: await createArtifactStore(a), olderThanDays: 90, actor: 'cli:ops' });
 */
export async function tierPartitions(o: TierOptions): Promise<TierResult> {
  if (!Number.isInteger(o.olderThanDays) || o.olderThanDays < 1)
    throw new ValidationError('invalid tiering age', [{ path: 'olderThanDays', message: 'must be an integer ≥ 1 (days)' }]);
  const now = o.now ?? new Date();
  const cutoffMs = now.getTime() - o.olderThanDays * 86_400_000;
  const [v] = await o.db.query<{ v: number | null }>('SELECT max(version) AS v FROM apprentice_migrations');
  const schemaVersion = Number(v?.v ?? 0);
  // Old months in the default partition get their own partition first, and are tiered with the others.
  const taken = new Set((await coldSegments(o.db, { all: true })).map((s) => s.partition));
  const carved = await carveDefaultPartition(o.db, { beforeMs: cutoffMs, types: COLD_TYPES, taken, lockTimeoutMs: o.lockTimeoutMs ?? 5000 });
  const due = (await eventPartitions(o.db)).filter((p) => uuidv7Time(p.toId) <= cutoffMs);
  const tiered: TieredPartition[] = [];
  const failed: FailedPartition[] = [];
  for (const p of due) {
    let stage: FailedPartition['stage'] = 'write';
    try {
      const { manifest, manifestKey } = await writeSegment(o, p, schemaVersion);
      stage = 'verify';
      await verifySegment(o.artifacts, manifest, manifestKey);
      await o.db.query(
        `INSERT INTO event_segments (partition, from_id, to_id, state, manifest_key, manifest, rows, first_tx, first_pos)
         VALUES ($1, $2::uuid, $3::uuid, 'written', $4, $5::jsonb, $6, $7::text::xid8, $8::bigint)
         ON CONFLICT (partition) DO UPDATE SET from_id = EXCLUDED.from_id, to_id = EXCLUDED.to_id, manifest_key = EXCLUDED.manifest_key,
           manifest = EXCLUDED.manifest, rows = EXCLUDED.rows, first_tx = EXCLUDED.first_tx, first_pos = EXCLUDED.first_pos,
           written_at = now()
         WHERE event_segments.state = 'written'`,
        [p.name, p.fromId, p.toId, manifestKey, JSON.stringify(manifest), manifest.rows, manifest.first?.transactionId ?? null, manifest.first?.position ?? null],
      );
      stage = 'drop';
      const event = controlEvent(
        EventType.EventPartitionTiered,
        `partition-${p.name}`,
        {
          partition: p.name,
          range: manifest.range,
          rows: manifest.rows,
          keptHot: manifest.keptHot,
          manifestKey,
          sha256: manifest.sha256,
          chunks: manifest.chunks.length,
          artifactStore: o.artifacts.kind,
          before: { storage: 'hot' },
          after: { storage: 'cold', segment: manifestKey },
        },
        { actor: o.actor, reason: o.reason },
        now,
      );
      await dropPartition(o, p, manifest, event);
      const t: TieredPartition = {
        partition: p.name,
        rows: manifest.rows,
        keptHot: manifest.keptHot,
        chunks: manifest.chunks.length,
        bytes: manifest.chunks.reduce((n, c) => n + c.bytes, 0),
        manifestKey,
        sha256: manifest.sha256,
        eventId: event.id,
      };
      tiered.push(t);
      o.onPartition?.(t);
    } catch (e) {
      const f: FailedPartition = { partition: p.name, stage, error: (e as Error).message };
      failed.push(f);
      o.onPartition?.(f);
    }
  }
  return { cutoff: new Date(cutoffMs).toISOString(), carved, tiered, failed };
}

/**
 * The one transaction that takes a partition out of the hot table, only if it still holds
 * exactly what the verified segment holds. The audit event is inserted here too, so the drop
 * and its record commit together.
 */
async function dropPartition(o: TierOptions, p: PartitionRow, m: SegmentManifest, event: ReturnType<typeof controlEvent>): Promise<void> {
  const lockMs = Math.max(1, Math.floor(o.lockTimeoutMs ?? 5000));
  await o.db.transaction(async (tx) => {
    await tx.exec(`SET LOCAL lock_timeout = ${lockMs}`);
    // SHARE on the partition alone: no write can reach it any more, and reads go on (a query on
    // `events` locks every partition it cannot prune, so an exclusive lock here would stop every
    // subscription for as long as the checks below scan). The detach at the end takes the
    // exclusive locks, for the few quick statements after it.
    await tx.exec(`LOCK TABLE "${p.name}" IN SHARE MODE`);
    const [now] = await tx.query<{ total: string; last_tx: string | null; last_pos: string | null }>(
      `SELECT (SELECT count(*) FROM "${p.name}")::text AS total, l.transaction_id::text AS last_tx, l.position::text AS last_pos
       FROM (SELECT 1) x LEFT JOIN LATERAL (SELECT transaction_id, position FROM "${p.name}" WHERE type IN ${COLD_LIST}
         ORDER BY transaction_id DESC, position DESC LIMIT 1) l ON true`,
    );
    // What stays hot, through the partial type index (the other types: a few rows).
    await tx.exec(`CREATE TEMP TABLE apprentice_tier_keep ON COMMIT DROP AS SELECT * FROM "${p.name}" WHERE type NOT IN ${COLD_LIST}`);
    const [kept] = await tx.query<{ n: string }>('SELECT count(*)::text AS n FROM apprentice_tier_keep');
    const cold = Number(now?.total) - Number(kept?.n);
    if (cold !== m.rows || Number(kept?.n) !== m.keptHot || (now?.last_tx ?? null) !== (m.last?.transactionId ?? null) || (now?.last_pos ?? null) !== (m.last?.position ?? null))
      throw new ConflictError(`partition ${p.name} changed while its segment was written (${cold} + ${kept?.n} events now, ${m.rows} + ${m.keptHot} written): run tier again`);
    await tx.exec(`ALTER TABLE events DETACH PARTITION "${p.name}"`);
    // The partition's other events stay hot, unchanged (position and transaction id): their
    // range is no longer covered by a partition, so they land in events_default.
    await tx.exec(`INSERT INTO events (position, transaction_id, id, type, stream, data, metadata, time)
       SELECT position, transaction_id, id, type, stream, data, metadata, time FROM apprentice_tier_keep`);
    await tx.exec(`DROP TABLE "${p.name}"`);
    const marked = await tx.query(`UPDATE event_segments SET state = 'tiered', tiered_at = now() WHERE partition = $1 AND state = 'written' RETURNING 1`, [p.name]);
    if (marked.length !== 1) throw new ConflictError(`segment ${p.name} is not in the written state`);
    await tx.query(
      `INSERT INTO events (id, type, stream, data, metadata, time) VALUES ($1::uuid, $2, $3, $4::jsonb, $5::jsonb, $6::timestamptz)`,
      [event.id, event.type, event.stream, JSON.stringify(event.data), JSON.stringify(event.metadata), event.time],
    );
  });
}

/** A tiered segment, as `event_segments` holds it. */
export interface ColdSegment {
  readonly partition: string;
  readonly fromId: string;
  readonly toId: string;
  readonly rows: number;
  readonly manifestKey: string;
  readonly manifest: SegmentManifest;
  readonly tieredAt: string | null;
  readonly state: 'written' | 'tiered';
}

/** Segments in the catalogue (default: tiered only), in global order of their first event. */
export async function coldSegments(db: Queryable, options: { readonly all?: boolean } = {}): Promise<ColdSegment[]> {
  const rows = await db.query<{ partition: string; from_id: string; to_id: string; rows: string; manifest_key: string; manifest: SegmentManifest | string; tiered_at: Date | null; state: 'written' | 'tiered' }>(
    `SELECT partition, from_id::text AS from_id, to_id::text AS to_id, rows::text AS rows, manifest_key, manifest, tiered_at, state
     FROM event_segments ${options.all ? '' : `WHERE state = 'tiered'`} ORDER BY first_tx NULLS FIRST, first_pos NULLS FIRST, from_id`,
  );
  return rows.map((r) => ({
    partition: r.partition,
    fromId: r.from_id,
    toId: r.to_id,
    rows: Number(r.rows),
    manifestKey: r.manifest_key,
    manifest: typeof r.manifest === 'string' ? (JSON.parse(r.manifest) as SegmentManifest) : r.manifest,
    tieredAt: r.tiered_at ? iso(r.tiered_at) : null,
    state: r.state,
  }));
}

interface ColdLine {
  position: string;
  transactionId: string;
  id: string;
  type: string;
  stream: string;
  time: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

const parseLines = (text: string): StoredEvent[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const r = JSON.parse(l) as ColdLine;
      return { id: r.id, type: r.type, stream: r.stream, data: r.data, metadata: r.metadata, time: r.time, position: BigInt(r.position), transactionId: BigInt(r.transactionId) };
    });

/** A segment's events, chunk by chunk, in global order; every chunk checked against the manifest. */
export async function* readSegment(artifacts: ArtifactStore, segment: Pick<ColdSegment, 'manifest'>): AsyncGenerator<StoredEvent[]> {
  for (const c of segment.manifest.chunks) yield parseLines(await readChunk(artifacts, c));
}

/** Every tiered event, segment by segment (oldest first), each batch in global order: what `replay` reads before the hot table. */
export async function* coldEvents(db: Queryable, artifacts: ArtifactStore): AsyncGenerator<StoredEvent[]> {
  for (const s of await coldSegments(db)) yield* readSegment(artifacts, s);
}

/** Artifact keys that belong to cold segments (chunks and manifests): backup writes their events instead. */
export async function coldArtifactKeys(db: Queryable): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const s of await coldSegments(db, { all: true })) {
    keys.add(s.manifestKey);
    for (const c of s.manifest.chunks) keys.add(c.key);
  }
  return keys;
}

/**
 * The cold tier over an artifact store, for `SqlEventStore.coldTier`: `replay` reads its events
 * before the hot table, `readStream('decision-<id>')` reads a tiered stream out of its segments.
 * The artifact store is opened for each read and closed after it (`open`), and not at all while
 * nothing is tiered.
 */
export function coldTier(db: Queryable, open: () => Promise<ArtifactStore>): ColdTier {
  const withArtifacts = async <T>(fn: (a: ArtifactStore) => Promise<T>): Promise<T> => {
    const artifacts = await open();
    try {
      return await fn(artifacts);
    } finally {
      await artifacts.close();
    }
  };
  return {
    readStream: (stream, partitions) =>
      withArtifacts(async (artifacts) => {
        const want = new Set(partitions);
        const out: StoredEvent[] = [];
        for (const s of await coldSegments(db)) {
          if (!want.has(s.partition)) continue;
          for await (const batch of readSegment(artifacts, s)) for (const e of batch) if (e.stream === stream) out.push(e);
        }
        return out;
      }),
    async events() {
      const segments = await coldSegments(db);
      if (segments.length === 0) return undefined;
      return (async function* () {
        const artifacts = await open();
        try {
          for (const s of segments) yield* readSegment(artifacts, s);
        } finally {
          await artifacts.close();
        }
      })();
    },
  };
}

/**
 * Gives a SQL event store its cold tier (the service's artifact store, see `createArtifactStore`);
 * a no-op for any other store.
 */
export function attachColdTier(store: EventStore, open: () => Promise<ArtifactStore>): void {
  if ('coldTier' in store) (store as { coldTier: ColdTier | undefined }).coldTier = coldTier(store, open);
}
