import type { NewEvent, StoredEvent } from '../../core/index.js';
import { UnavailableError, ValidationError } from '../../core/index.js';
import { UUID_RE } from '../../core/index.js';
import {
  START,
  type AppendResult,
  type Cursor,
  type Disposer,
  type EventHandler,
  type EventStore,
  type ReadAllOptions,
  type ReadStreamOptions,
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
}

const MAX_READ = 10_000;

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
  #closed = false;
  readonly #subscriptions = new Set<Disposer>();

  constructor(kind: 'postgres' | 'pglite', client: SqlClient, options: SqlEventStoreOptions = {}) {
    this.kind = kind;
    this.#client = client;
    this.#projections = options.projections ?? [decisionsProjection];
    this.#isConnectionError = options.isConnectionError ?? (() => false);
  }

  get client(): SqlClient {
    return this.#client;
  }

  async migrate(): Promise<void> {
    await this.#guard(async () => {
      await runMigrations(this.#client);
      await this.#client.transaction((tx) => ensurePartitions(tx));
    });
  }

  async append(events: readonly NewEvent[]): Promise<AppendResult> {
    if (events.length === 0) return { inserted: [], skipped: 0 };
    events.forEach(validateNewEvent);
    // One statement: insert, then every SQL projection as a data-modifying CTE over the rows
    // actually inserted (`ins`), so re-delivered events are skipped by the projections too.
    const ctes = this.#sqlProjections('ins').map((stmt, i) => `, p${i} AS (${stmt})`).join('\n');
    const sql = `WITH ins AS (
        INSERT INTO events (id, type, stream, data, metadata, time)
        SELECT id, type, stream, data, metadata, time
        FROM json_to_recordset($1::json) AS r(id uuid, type text, stream text, data jsonb, metadata jsonb, time timestamptz)
        ON CONFLICT (id) DO NOTHING
        RETURNING id, type, stream, data, metadata, time, position, transaction_id)
      ${ctes}
      SELECT id::text AS id, position::text AS position, transaction_id::text AS transaction_id FROM ins`;
    return this.#guard(() =>
      this.#client.transaction(async (tx) => {
        const rows = await tx.query<{ id: string; position: string; transaction_id: string }>(sql, [JSON.stringify(events)]);
        if (this.#tsProjections.length > 0 && rows.length > 0) {
          const byId = new Map(events.map((e) => [e.id, e]));
          const stored = rows
            .map((r) => ({ ...byId.get(r.id)!, position: BigInt(r.position), transactionId: BigInt(r.transaction_id) }))
            .sort((a, b) => (a.position < b.position ? -1 : 1));
          await this.#project(tx, stored);
        }
        return { inserted: rows.map((r) => r.id), skipped: events.length - rows.length };
      }),
    );
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
    const after = options.after ?? START;
    const limit = Math.min(Math.max(1, options.limit ?? 1000), MAX_READ);
    const params: unknown[] = [after.transactionId.toString(), after.position.toString(), limit];
    let typeFilter = '';
    if (options.types && options.types.length > 0) {
      params.push(options.types);
      typeFilter = 'AND type = ANY($4::text[])';
    }
    // Only transactions below the oldest one still running are visible: a later commit can
    // never land behind a checkpoint (Emmett's technique, DESIGN.md §3).
    const rows = await this.#guard(() =>
      this.#client.query<EventRow>(
        `SELECT ${SELECT_COLUMNS} FROM events
         WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)
           AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
           ${typeFilter}
         ORDER BY events.transaction_id, events.position
         LIMIT $3`,
        params,
      ),
    );
    return rows.map(toStored);
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const limit = Math.min(Math.max(1, options.limit ?? 1000), MAX_READ);
    const rows = await this.#guard(() =>
      this.#client.query<EventRow>(
        `SELECT ${SELECT_COLUMNS} FROM events WHERE stream = $1 AND position > $2::bigint ORDER BY events.position LIMIT $3`,
        [stream, (options.afterPosition ?? 0n).toString(), limit],
      ),
    );
    return rows.map(toStored);
  }

  subscribe(handler: EventHandler, options: SubscribeOptions = {}): Disposer {
    let cursor: Cursor = options.after ?? START;
    const pollMs = options.pollIntervalMs ?? 50;
    const controller = new AbortController();
    options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    const loop = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        let batch: StoredEvent[];
        try {
          batch = await this.readAll({
            after: cursor,
            limit: options.batchSize ?? 1000,
            ...(options.types ? { types: options.types } : {}),
          });
        } catch {
          break; // transient: retry on the next tick
        }
        if (batch.length === 0) break;
        const last = batch[batch.length - 1]!;
        const next = { transactionId: last.transactionId, position: last.position };
        await handler(batch, next);
        cursor = next;
      }
      if (!controller.signal.aborted) timer = setTimeout(() => void (running = loop()), pollMs);
    };
    running = loop();
    const dispose: Disposer = async () => {
      controller.abort();
      if (timer) clearTimeout(timer);
      await running.catch(() => undefined);
      this.#subscriptions.delete(dispose);
    };
    this.#subscriptions.add(dispose);
    return dispose;
  }

  async query<R extends Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return this.#guard(() => this.#client.query<R>(sql, params));
  }

  async replay(onProgress?: (done: number, total: number) => void): Promise<{ events: number; ms: number }> {
    const t0 = performance.now();
    const handled = [...new Set(this.#projections.flatMap((p) => p.handles))];
    let done = 0;
    await this.#guard(() =>
      this.#client.transaction(async (tx) => {
        const tables = [...new Set(this.#projections.flatMap((p) => p.tables))];
        if (tables.length > 0) await tx.exec(`TRUNCATE ${tables.join(', ')}`);
        const [range] = await tx.query<{ lo: string | null; hi: string | null; n: number }>(
          'SELECT min(position)::text AS lo, max(position)::text AS hi, count(*)::int AS n FROM events WHERE type = ANY($1::text[])',
          [handled],
        );
        if (!range || range.lo === null || range.hi === null) return;
        const total = range.n;
        const step = 50_000n;
        const sqlStatements = this.#sqlProjections('src');
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
