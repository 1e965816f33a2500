import type { NewEvent, StoredEvent } from '../../core/index.js';
import { NotFoundError, UnavailableError, ValidationError } from '../../core/index.js';
import { UUID_RE } from '../../core/index.js';
import {
  START,
  compareCursors,
  type AppendOptions,
  type AppendResult,
  type ColdTier,
  type Cursor,
  type Disposer,
  type EventHandler,
  type EventStore,
  type ReadAllOptions,
  type ReadPage,
  type ReadStreamOptions,
  type ReplayOptions,
  type SubscribeOptions,
} from './event-store.js';
import { runMigrations } from './migrations.js';
import { ensurePartitions } from './partitions.js';
import type { Projection } from './projection.js';
import { decisionsProjection } from './projections/decisions.js';
import type { SqlClient, SqlExecutor } from './sql-client.js';

export interface SqlEventStoreOptions {
  /** Projections applied on append and on replay. Default: the decisions projection. */
  readonly projections?: readonly Projection[];
  /** Classify driver errors: true when the database could not be reached. */
  readonly isConnectionError?: (e: unknown) => boolean;
  /** After each committed append of a non-empty batch, with its time in seconds (metrics). */
  readonly onAppend?: (batch: AppendTiming) => void;
}

/** One committed append, as `onAppend` reports it. */
export interface AppendTiming {
  readonly events: number;
  readonly inserted: number;
  /** From the call to the commit, including validation and the transaction. */
  readonly seconds: number;
}

const MAX_READ = 10_000;

/**
 * Event types written at the rate of decisions. They stay out of the type index (an index entry
 * per decision would cost ingest) and are read in global order, where they are most of what is
 * scanned. Must match the predicate of `events_type_order` (migrations/001_events.sql).
 */
export const HIGH_VOLUME_TYPES: ReadonlySet<string> = new Set(['DecisionMade', 'OutcomeRecorded', 'ShadowPredicted']);

/** The channel appends notify on PostgreSQL (payload: the schema), so subscribers wake at once. */
export const NOTIFY_CHANNEL = 'apprentice_events';
/** Least time between two reads of one subscription on PGlite (see `subscribe`). */
export const PGLITE_POLL_MS = 250;
/**
 * Safety poll of an idle subscription that appends wake (in-process, or NOTIFY). Every append
 * through a store notifies, so this only bounds how long a lost notification can delay a
 * follower. At 2 s, the half-dozen followers of an idle service made 3 reads a second (4 round
 * trips each): 1.8% of a core with nothing to do (soak, issue 15).
 */
export const IDLE_POLL_MS = 10_000;
/** Longest delay between the reads that look for an event a wake-up announced but a read could not see yet. */
export const HIDDEN_POLL_MAX_MS = 2000;

const RAW_COLUMNS = 'position, transaction_id, id, type, stream, data, metadata, time';
const sqlLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;

interface PageRow extends Record<string, unknown> {
  scan_xmin: string;
  scan_xmax: string;
  position: string | null;
  transaction_id: string;
  id: string | null;
  type: string;
  stream: string;
  data: unknown;
  metadata: Record<string, unknown>;
  time: Date | string;
}

interface EventRow extends Record<string, unknown> {
  position: string;
  transaction_id: string;
  id: string;
  type: string;
  stream: string;
  data: unknown;
  metadata: Record<string, unknown>;
  time: Date | string;
}

const SELECT_COLUMNS = `position::text AS position, transaction_id::text AS transaction_id, id::text AS id,
  type, stream, data, metadata, time`;

function toStored(r: EventRow): StoredEvent {
  return {
    id: r.id,
    type: r.type,
    stream: r.stream,
    data: r.data,
    metadata: r.metadata,
    time: r.time instanceof Date ? r.time.toISOString() : new Date(r.time).toISOString(),
    position: BigInt(r.position),
    transactionId: BigInt(r.transaction_id),
  };
}

/** Checks an event before it may be written; the whole batch is refused on the first bad one. */
/** One field in COPY text format: backslash, tab, newline and carriage return escaped. */
function copyField(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** Events as COPY text rows (`id, type, stream, data, metadata, time`), in chunks of about 256 KiB. */
function* copyChunks(events: readonly NewEvent[]): Generator<string> {
  let chunk = '';
  for (const e of events) {
    chunk += `${[e.id, e.type, e.stream, JSON.stringify(e.data), JSON.stringify(e.metadata), e.time].map(copyField).join('\t')}\n`;
    if (chunk.length >= 262_144) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

export function validateNewEvent(e: NewEvent, index: number): void {
  const issues: { path: string; message: string }[] = [];
  if (typeof e.id !== 'string' || !UUID_RE.test(e.id)) issues.push({ path: `${index}.id`, message: 'must be a UUID' });
  if (typeof e.type !== 'string' || e.type.length === 0 || e.type.length > 100)
    issues.push({ path: `${index}.type`, message: 'must be a non-empty string of at most 100 characters' });
  if (typeof e.stream !== 'string' || e.stream.length === 0 || e.stream.length > 300)
    issues.push({ path: `${index}.stream`, message: 'must be a non-empty string of at most 300 characters' });
  if (typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time)))
    issues.push({ path: `${index}.time`, message: 'must be an ISO-8601 time' });
  if (issues.length > 0) throw new ValidationError('invalid event', issues);
}

/**
 * The event store over any `SqlClient`: PostgreSQL and PGlite run this same code and the
 * same migrations.
 */
export class SqlEventStore implements EventStore {
  readonly kind: 'postgres' | 'pglite';
  readonly #client: SqlClient;
  readonly #projections: readonly Projection[];
  readonly #isConnectionError: (e: unknown) => boolean;
  readonly #onAppend: ((batch: AppendTiming) => void) | undefined;
  #closed = false;
  readonly #subscriptions = new Set<Disposer>();
  /** Idle subscriptions waiting for an append (at most one entry per subscription). */
  readonly #wakers = new Set<() => void>();
  /** True while appends by other processes wake this store (PostgreSQL LISTEN connected). */
  #listening = false;
  #unlisten: (() => Promise<void>) | undefined;
  #schema: string | undefined;
  #cold: ColdTier | undefined;

  constructor(kind: 'postgres' | 'pglite', client: SqlClient, options: SqlEventStoreOptions = {}) {
    this.kind = kind;
    this.#client = client;
    this.#projections = options.projections ?? [decisionsProjection];
    this.#isConnectionError = options.isConnectionError ?? (() => false);
    this.#onAppend = options.onAppend;
  }

  get client(): SqlClient {
    return this.#client;
  }

  /** The events tiered to cold storage (src/runtime/tiering.ts): `replay` and `readStream` read them. */
  set coldTier(tier: ColdTier | undefined) {
    this.#cold = tier;
  }

  async migrate(): Promise<void> {
    await this.#guard(async () => {
      await runMigrations(this.#client);
      await this.#client.transaction((tx) => ensurePartitions(tx));
    });
  }

  async append(events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (events.length === 0) return { inserted: [], skipped: 0 };
    const t0 = performance.now();
    events.forEach(validateNewEvent);
    const project = options.projections !== false;
    if (options.copy === true && !project) {
      const copied = await this.#copy(events);
      if (copied) {
        this.#wakeAll();
        this.#onAppend?.({ events: events.length, inserted: copied.inserted.length, seconds: (performance.now() - t0) / 1000 });
        return copied;
      }
    }
    // One statement: insert, then every SQL projection as a data-modifying CTE over the rows
    // actually inserted (`ins`), so re-delivered events are skipped by the projections too.
    const ctes = project ? this.#sqlProjections('ins').map((stmt, i) => `, p${i} AS (${stmt})`).join('\n') : '';
    const sql = `WITH ins AS (
        INSERT INTO events (id, type, stream, data, metadata, time)
        SELECT id, type, stream, data, metadata, time
        FROM json_to_recordset($1::json) AS r(id uuid, type text, stream text, data jsonb, metadata jsonb, time timestamptz)
        ON CONFLICT (id) DO NOTHING
        RETURNING id, type, stream, data, metadata, time, position, transaction_id)
      ${ctes}
      SELECT id::text AS id, position::text AS position, transaction_id::text AS transaction_id${this.#notifySql} FROM ins`;
    return this.#guard(() =>
      this.#client.transaction(async (tx) => {
        const rows = await tx.query<{ id: string; position: string; transaction_id: string }>(sql, [JSON.stringify(events)]);
        if (project && this.#tsProjections.length > 0 && rows.length > 0) {
          const byId = new Map(events.map((e) => [e.id, e]));
          const stored = rows
            .map((r) => ({ ...byId.get(r.id)!, position: BigInt(r.position), transactionId: BigInt(r.transaction_id) }))
            .sort((a, b) => (a.position < b.position ? -1 : 1));
          await this.#project(tx, stored);
        }
        return { inserted: rows.map((r) => r.id), skipped: events.length - rows.length };
      }),
    ).then((r) => {
      if (r.inserted.length > 0) this.#wakeAll();
      this.#onAppend?.({ events: events.length, inserted: r.inserted.length, seconds: (performance.now() - t0) / 1000 });
      return r;
    });
  }

  /**
   * Bulk insert with `COPY events ... FROM STDIN` in one transaction (PostgreSQL), positions in
   * the batch's order. Undefined where the client cannot COPY (PGlite), or when the batch holds an
   * id already stored (a unique violation rolls the COPY back): the caller then inserts, which
   * skips those ids, so the bulk path is as idempotent as `append`.
   */
  async #copy(events: readonly NewEvent[]): Promise<AppendResult | undefined> {
    if (this.kind !== 'postgres') return undefined;
    try {
      const copied = await this.#guard(() =>
        this.#client.transaction(async (tx) => {
          if (!tx.copyFrom) return false;
          await tx.copyFrom('COPY events (id, type, stream, data, metadata, time) FROM STDIN', copyChunks(events));
          await tx.query(`SELECT pg_notify('${NOTIFY_CHANNEL}', current_schema())`);
          return true;
        }),
      );
      return copied ? { inserted: events.map((e) => e.id), skipped: 0 } : undefined;
    } catch (e) {
      if ((e as { code?: unknown }).code === '23505') return undefined; // unique_violation: an id already stored
      throw e;
    }
  }

  /**
   * On PostgreSQL the append notifies other processes on commit. An uncorrelated subquery is
   * evaluated once, and only when a row was inserted: no extra round trip, no notification for
   * a re-delivered batch.
   */
  get #notifySql(): string {
    return this.kind === 'postgres' ? `, (SELECT pg_notify('${NOTIFY_CHANNEL}', current_schema()))::text AS notified` : '';
  }

  #wakeAll(): void {
    for (const w of [...this.#wakers]) w();
  }

  #sqlProjections(source: string): string[] {
    return this.#projections.flatMap((p) => p.sql?.(source) ?? []);
  }

  get #tsProjections(): readonly Projection[] {
    return this.#projections.filter((p) => p.apply !== undefined);
  }

  async #project(tx: SqlExecutor, events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const p of this.#tsProjections) {
      const mine = events.filter((e) => p.handles.includes(e.type));
      if (mine.length > 0) await p.apply!(tx, mine);
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return (await this.readPage(options)).events;
  }

  /**
   * One page in gap-safe global order. Only transactions below the oldest one still running
   * are visible: a later commit can never land behind a checkpoint (Emmett's technique,
   * DESIGN.md §3). The returned cursor is where the read stopped scanning: the last event of a
   * full page, otherwise that visibility horizon, so a type-filtered reader moves past the
   * events of other types instead of reading them again on every poll.
   *
   * Rare types are read with one ordered scan of the type index per type (each at most `limit`
   * rows); a filter that names a high-volume type scans the global order from the cursor. Either
   * way a read costs what is new since the cursor, never what the log holds.
   */
  async readPage(options: ReadAllOptions = {}): Promise<ReadPage> {
    const after = options.after ?? START;
    const limit = Math.min(Math.max(1, options.limit ?? 1000), MAX_READ);
    const params: unknown[] = [after.transactionId.toString(), after.position.toString(), limit];
    const types = options.types && options.types.length > 0 ? [...new Set(options.types)] : undefined;
    const bound = `(transaction_id, position) > ($1::text::xid8, $2::bigint) AND transaction_id < x.xmin`;
    let inner: string;
    let windowed = false;
    if (types && types.every((t) => !HIGH_VOLUME_TYPES.has(t) && !t.includes('\0'))) {
      // Literals, not parameters, so the planner can prove the partial index's predicate.
      const scans = types.map(
        (t) => `(SELECT ${RAW_COLUMNS} FROM events WHERE type = ${sqlLiteral(t)} AND ${bound} ORDER BY transaction_id, position LIMIT $3)`,
      );
      inner = scans.length === 1 ? scans[0]!.slice(1, -1) : `SELECT * FROM (${scans.join(' UNION ALL ')}) u ORDER BY transaction_id, position LIMIT $3`;
    } else if (types) {
      // A window of `limit` events in global order, payloads only for the types asked for: the
      // read touches at most `limit` rows however rare the types are among them, and the plan
      // is an ordered index scan whatever the statistics say (no filter to misestimate).
      windowed = true;
      params.push(types);
      const want = 'type = ANY($4::text[])';
      inner = `SELECT position, transaction_id, id, type, stream, CASE WHEN ${want} THEN data END AS data,
          CASE WHEN ${want} THEN metadata END AS metadata, time
        FROM events WHERE ${bound} ORDER BY transaction_id, position LIMIT $3`;
    } else {
      inner = `SELECT ${RAW_COLUMNS} FROM events WHERE ${bound} ORDER BY transaction_id, position LIMIT $3`;
    }
    // The plan must be an ordered index scan that stops after `limit` rows; with statistics
    // that are stale or absent (a fresh or just bulk-loaded table) the planner may prefer to
    // read every row past the cursor and sort them, on every page. One read-only snapshot.
    const rows = await this.#guard(() =>
      this.#client.transaction(async (tx) => {
        await tx.exec(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY;
          SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off`);
        return tx.query<PageRow>(
        `SELECT x.xmin::text AS scan_xmin, x.xmax::text AS scan_xmax, e.position::text AS position, e.transaction_id::text AS transaction_id,
           e.id::text AS id, e.type, e.stream, e.data, e.metadata, e.time
         FROM (SELECT pg_snapshot_xmin(s) AS xmin, pg_snapshot_xmax(s) AS xmax FROM pg_current_snapshot() s) x
         LEFT JOIN LATERAL (${inner}) e ON true
         ORDER BY e.transaction_id, e.position`,
        params,
        );
      }),
    );
    const wanted = new Set(types);
    const events: StoredEvent[] = [];
    let scanned = 0;
    let lastScanned: PageRow | undefined;
    for (const r of rows) {
      if (r.id === null) continue;
      scanned++;
      lastScanned = r;
      if (!windowed || wanted.has(r.type)) events.push(toStored(r as EventRow));
    }
    const more = scanned === limit;
    let cursor: Cursor =
      more && lastScanned
        ? { transactionId: BigInt(lastScanned.transaction_id), position: BigInt(lastScanned.position!) }
        : { transactionId: BigInt(rows[0]?.scan_xmin ?? '0'), position: 0n };
    if (compareCursors(cursor, after) < 0) cursor = after;
    // No transaction was in progress at the read: nothing committed later can appear behind it.
    const settled = rows[0] !== undefined && rows[0].scan_xmin === rows[0].scan_xmax;
    return { events, cursor, more, settled };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const limit = Math.min(Math.max(1, options.limit ?? 1000), MAX_READ);
    const rows = await this.#guard(() =>
      this.#client.query<EventRow>(
        // Streams other than per-decision ones are indexed (migrations/050); the clause names the
        // index's predicate so the planner can use it.
        `SELECT ${SELECT_COLUMNS} FROM events WHERE stream = $1 AND position > $2::bigint
         ${stream.startsWith('decision-') ? '' : `AND stream NOT LIKE 'decision-%'`} ORDER BY events.position LIMIT $3`,
        [stream, (options.afterPosition ?? 0n).toString(), limit],
      ),
    );
    const hot = rows.map(toStored);
    const tiered = await this.#tieredSegmentsOf(stream);
    if (tiered.length === 0) return hot;
    if (!this.#cold)
      throw new NotFoundError(
        `stream ${stream} lies in cold storage (segment ${tiered.join(', ')}): its events left the hot table; ` +
          `read them with \`apprentice tier read --stream ${stream}\``,
      );
    const after = options.afterPosition ?? 0n;
    const cold = (await this.#cold.readStream(stream, tiered)).filter((e) => e.position > after);
    const ids = new Set(cold.map((e) => e.id));
    return [...cold, ...hot.filter((e) => !ids.has(e.id))].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0)).slice(0, limit);
  }

  /**
   * The tiered segments that may hold events of a per-decision stream: a decision's events are
   * written at or after its UUIDv7 id, so every segment whose range ends past the id. Other
   * streams are never tiered (their events stay in the hot table, see tiering.ts).
   */
  async #tieredSegmentsOf(stream: string): Promise<string[]> {
    const id = stream.startsWith('decision-') ? stream.slice('decision-'.length) : '';
    if (!UUID_RE.test(id)) return [];
    try {
      const rows = await this.#guard(() =>
        this.#client.query<{ partition: string }>(
          `SELECT partition FROM event_segments WHERE state = 'tiered' AND to_id > $1::uuid ORDER BY from_id`,
          [id],
        ),
      );
      return rows.map((r) => r.partition);
    } catch (e) {
      if ((e as { code?: unknown }).code === '42P01') return []; // not migrated yet: nothing tiered
      throw e;
    }
  }

  /**
   * Catch up, then follow. Once caught up the subscription sleeps until an append wakes it: an
   * append through this store, or on PostgreSQL a NOTIFY from another process (LISTEN on one
   * dedicated connection per store). A safety poll every `idlePollMs` covers writes that did
   * not notify; while LISTEN is not connected it polls every `pollIntervalMs`. Reads are at
   * least `pollIntervalMs` apart, so a busy log costs one read per interval per subscription.
   * Every read moves the cursor past what it scanned (see `readPage`), so an idle read is an
   * index probe that returns nothing.
   */
  subscribe(handler: EventHandler, options: SubscribeOptions = {}): Disposer {
    let cursor: Cursor = options.after ?? START;
    // PGlite runs on this process's event loop: every read blocks decide requests for its whole
    // duration (several ms under load), and an embedded service has half a dozen followers. So
    // on PGlite reads are at least 250 ms apart (measured: followers took 46% of the loop at 40
    // decisions/s with 50 ms). PostgreSQL reads run in the server: 50 ms keeps them fresh.
    const pollMs = options.pollIntervalMs ?? (this.kind === 'pglite' ? PGLITE_POLL_MS : 50);
    const idleMs = Math.max(pollMs, options.idlePollMs ?? IDLE_POLL_MS);
    const hiddenMaxMs = Math.min(idleMs, Math.max(pollMs, HIDDEN_POLL_MAX_MS));
    const batchSize = options.batchSize ?? 1000;
    const controller = new AbortController();
    options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
    this.#startListening();
    let lastRead = 0;
    // A wake-up (an append here, or a NOTIFY) is remembered even when it comes during a read, so
    // none is lost. After one, the subscription polls with a growing delay (pollMs doubling to
    // HIDDEN_POLL_MAX_MS) until a read finds events or sees no transaction in progress: the new
    // event may still be behind an older transaction that has not committed (the read stops at
    // the oldest open transaction), and no second notification will come for it.
    let signalled = false;
    let hiddenMs = 0;
    let interrupt: (() => void) | undefined;
    const waker = (): void => {
      signalled = true;
      interrupt?.();
    };
    this.#wakers.add(waker);
    const sleep = (ms: number, wakeable: boolean): Promise<void> =>
      new Promise((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          interrupt = undefined;
          controller.signal.removeEventListener('abort', done);
          resolve();
        };
        const t = setTimeout(done, ms);
        controller.signal.addEventListener('abort', done, { once: true });
        if (wakeable) interrupt = done;
      });
    const loop = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        let page: ReadPage;
        try {
          lastRead = performance.now();
          page = await this.readPage({ after: cursor, limit: batchSize, ...(options.types ? { types: options.types } : {}) });
        } catch {
          await sleep(Math.max(pollMs, 200), false); // transient: retry
          continue;
        }
        if (controller.signal.aborted) return;
        if (page.events.length > 0 || page.settled) hiddenMs = 0;
        if (page.events.length > 0) {
          try {
            await handler(page.events, page.cursor);
          } catch {
            // The handler failed: the cursor stays, the same events are offered again.
            await sleep(Math.max(pollMs, 200), false);
            continue;
          }
        }
        cursor = page.cursor;
        if (page.more) continue;
        if (signalled) {
          // Woken since the read began: read again (reads stay at least `pollMs` apart).
          signalled = false;
          hiddenMs = pollMs;
          const since = performance.now() - lastRead;
          if (since < pollMs) await sleep(pollMs - since, false);
          continue;
        }
        const listening = this.kind === 'pglite' || this.#listening;
        const ms = !listening ? pollMs : hiddenMs > 0 ? hiddenMs : idleMs;
        if (hiddenMs > 0) hiddenMs = Math.min(hiddenMs * 2, hiddenMaxMs);
        await sleep(ms, true);
      }
    };
    const running = loop();
    const dispose: Disposer = async () => {
      controller.abort();
      this.#wakers.delete(waker);
      await running.catch(() => undefined);
      this.#subscriptions.delete(dispose);
    };
    this.#subscriptions.add(dispose);
    return dispose;
  }

  /** Whether appends by other processes wake this store's subscriptions (PostgreSQL LISTEN connected). */
  get listening(): boolean {
    return this.#listening;
  }

  /** Number of subscriptions currently open (a bounded set: one per subscriber). */
  get subscriptionCount(): number {
    return this.#subscriptions.size;
  }

  #startListening(): void {
    if (this.#unlisten || this.#closed || !this.#client.listen) return;
    this.#unlisten = this.#client.listen(
      NOTIFY_CHANNEL,
      (payload) => {
        if (this.#schema === undefined || payload === this.#schema) this.#wakeAll();
      },
      (listening) => {
        this.#listening = listening;
        if (listening && this.#schema === undefined)
          void this.#client.query<{ s: string }>('SELECT current_schema() AS s').then(
            ([r]) => void (this.#schema = r?.s),
            () => undefined,
          );
      },
    );
  }

  async query<R extends Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return this.#guard(() => this.#client.query<R>(sql, params));
  }

  async replay(onProgress?: (done: number, total: number) => void, options: ReplayOptions = {}): Promise<{ events: number; ms: number }> {
    const t0 = performance.now();
    const handled = [...new Set(this.#projections.flatMap((p) => p.handles))];
    const handledSet = new Set(handled);
    const cold = options.cold ?? (await this.#guard(async () => this.#cold?.events()));
    let done = 0;
    await this.#guard(() =>
      this.#client.transaction(async (tx) => {
        const tables = [...new Set(this.#projections.flatMap((p) => p.tables))];
        if (tables.length > 0) await tx.exec(`TRUNCATE ${tables.join(', ')}`);
        const sqlStatements = this.#sqlProjections('src');
        // Tiered events first (cold segments, in global order), then the hot table.
        for await (const batch of cold ?? []) {
          const mine = batch.filter((e) => handledSet.has(e.type));
          if (mine.length === 0) continue;
          if (sqlStatements.length > 0) {
            const ctes = sqlStatements.map((stmt, i) => `p${i} AS (${stmt})`).join(',\n');
            await tx.query(
              `WITH src AS (SELECT * FROM json_to_recordset($1::json) AS r(position bigint, transaction_id xid8, id uuid, type text,
                 stream text, data jsonb, metadata jsonb, time timestamptz)),
               ${ctes} SELECT count(*)::int AS n FROM src`,
              [JSON.stringify(mine.map((e) => ({ ...e, position: e.position.toString(), transaction_id: e.transactionId.toString(), transactionId: undefined })))],
            );
          }
          await this.#project(tx, mine);
          done += mine.length;
          onProgress?.(done, done);
        }
        const [range] = await tx.query<{ lo: string | null; hi: string | null; n: number }>(
          'SELECT min(position)::text AS lo, max(position)::text AS hi, count(*)::int AS n FROM events WHERE type = ANY($1::text[])',
          [handled],
        );
        if (!range || range.lo === null || range.hi === null) return;
        const total = done + range.n;
        const step = 50_000n;
        // SQL projections run inside the database, one position range at a time (for
        // progress); TS projections stream the same range through Node, in global order.
        for (let lo = BigInt(range.lo) - 1n; lo < BigInt(range.hi); lo += step) {
          const hi = lo + step;
          let n = 0;
          if (sqlStatements.length > 0) {
            const ctes = sqlStatements.map((stmt, i) => `p${i} AS (${stmt})`).join(',\n');
            const [c] = await tx.query<{ n: number }>(
              `WITH src AS (SELECT * FROM events WHERE position > $1::bigint AND position <= $2::bigint AND type = ANY($3::text[])),
               ${ctes} SELECT count(*)::int AS n FROM src`,
              [lo.toString(), hi.toString(), handled],
            );
            n = c?.n ?? 0;
          }
          if (this.#tsProjections.length > 0) {
            const rows = await tx.query<EventRow>(
              `SELECT ${SELECT_COLUMNS} FROM events WHERE position > $1::bigint AND position <= $2::bigint
               AND type = ANY($3::text[]) ORDER BY events.transaction_id, events.position`,
              [lo.toString(), hi.toString(), handled],
            );
            await this.#project(tx, rows.map(toStored));
            n = rows.length;
          }
          done += n;
          onProgress?.(done, total);
        }
      }),
    );
    return { events: done, ms: performance.now() - t0 };
  }

  async ping(): Promise<void> {
    await this.#guard(() => this.#client.query('SELECT 1'));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((d) => d()));
    await this.#unlisten?.();
    await this.#client.close();
  }

  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (this.#isConnectionError(e)) throw new UnavailableError(`event store (${this.kind}) unreachable`, { cause: e });
      throw e;
    }
  }
}
