import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ConfigError } from '../../core/index.js';
import type { SqlClient, SqlExecutor } from './sql-client.js';
import { SqlEventStore, type SqlEventStoreOptions } from './sql-event-store.js';

export interface PostgresEventStoreOptions extends SqlEventStoreOptions {
  /** `postgres://user:pass@host:port/db`. */
  readonly connectionString: string;
  /** Schema for every table (tests use one per file). Default: the server's search_path. */
  readonly schema?: string;
  /** Pool size. Default 10. */
  readonly maxConnections?: number;
  /** Connect timeout. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * Deadline of every statement: the server cancels it (`statement_timeout`) and the client
   * abandons the connection if no reply came (`query_timeout`, + 1 s), so a frozen connection
   * fails the call instead of hanging it. Default 15,000 ms.
   */
  readonly statementTimeoutMs?: number;
}

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** Connection-level failures (refused, reset, terminated), as opposed to SQL errors. */
export function isPgConnectionError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const code = (e as { code?: unknown }).code;
  // 57014: statement_timeout (a stuck call, retried like an outage).
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|57014|57P0[1-3]|08\d{3})$/.test(code))
    return true;
  const msg = (e as { message?: unknown }).message;
  return (
    typeof msg === 'string' &&
    /Connection terminated|connection timeout|Client has encountered a connection error|Query read timeout|timeout exceeded when trying to connect/i.test(msg)
  );
}

export function validateConnectionString(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch (e) {
    throw new ConfigError('DATABASE_URL is not a valid URL', [{ path: 'databaseUrl', message: 'must be postgres://user@host:port/database' }], { cause: e });
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new ConfigError('DATABASE_URL must use the postgres:// scheme', [
      { path: 'databaseUrl', message: `scheme "${u.protocol.replace(':', '')}" is not postgres or postgresql` },
    ]);
}

export function createPgClient(options: PostgresEventStoreOptions): SqlClient {
  validateConnectionString(options.connectionString);
  if (options.schema !== undefined && !SCHEMA_RE.test(options.schema))
    throw new ConfigError('invalid schema name', [{ path: 'schema', message: 'lowercase letters, digits and _' }]);
  const statementTimeoutMs = options.statementTimeoutMs ?? 15_000;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    // Deadlines (issue 10): no call waits on a frozen or dead connection beyond these.
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1000,
    idle_in_transaction_session_timeout: statementTimeoutMs * 2,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // A dropped idle connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const executor = (q: pg.Pool | pg.PoolClient): SqlExecutor => ({
    async query(sql, params = []) {
      const r = await q.query(sql, params as unknown[]);
      return r.rows;
    },
    async exec(sql) {
      await q.query(sql);
    },
    // COPY needs one connection (a transaction's): pg-copy-streams, the maintained COPY
    // protocol for node-postgres, streams the rows.
    ...(q instanceof pg.Pool
      ? {}
      : {
          async copyFrom(sql: string, rows: Iterable<string>) {
            await pipeline(Readable.from(rows), q.query(copyFrom(sql)));
          },
        }),
  });
  let closed = false;
  return {
    ...executor(pool),
    async transaction(fn) {
      const c = await pool.connect();
      let broken: Error | undefined;
      // A connection dropped mid-transaction surfaces as the failed query below; without a
      // listener the client's 'error' event would crash the process.
      const onError = (): void => undefined;
      c.on('error', onError);
      try {
        await c.query('BEGIN');
        const out = await fn(executor(c));
        await c.query('COMMIT');
        return out;
      } catch (e) {
        // A connection that timed out or broke is not reused: it may still be stuck.
        if (isPgConnectionError(e)) broken = e instanceof Error ? e : new Error(String(e));
        else await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        c.off('error', onError);
        c.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
    listen(channel, onNotify, onState) {
      return listenWithReconnect(options, channel, onNotify, onState);
    },
  };
}

/**
 * LISTEN on a dedicated connection that is re-opened (1 s, doubling to 10 s) whenever it drops;
 * `onState(false)` meanwhile, so subscribers fall back to polling.
 */
function listenWithReconnect(
  options: PostgresEventStoreOptions,
  channel: string,
  onNotify: (payload: string) => void,
  onState: (listening: boolean) => void,
): () => Promise<void> {
  let stopped = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let delay = 1000;
  const retry = (): void => {
    onState(false);
    const c = client;
    client = undefined;
    c?.removeAllListeners('notification');
    void c?.end().catch(() => undefined);
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, 10_000);
  };
  const connect = async (): Promise<void> => {
    if (stopped) return;
    const c = new pg.Client({
      connectionString: options.connectionString,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    client = c;
    c.on('error', () => {
      if (client === c) retry();
    });
    c.on('end', () => {
      if (client === c) retry();
    });
    c.on('notification', (n) => onNotify(n.payload ?? ''));
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      if (stopped) {
        await c.end().catch(() => undefined);
        return;
      }
      delay = 1000;
      onState(true);
    } catch {
      if (client === c) retry();
    }
  };
  void connect();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    const c = client;
    client = undefined;
    onState(false);
    await c?.end().catch(() => undefined);
  };
}

/**
 * The PostgreSQL event store.
 * @example
 * const store = createPostgresEventStore({ connectionString: process.env.DATABASE_URL! });
 * await store.migrate();
 */
export function createPostgresEventStore(options: PostgresEventStoreOptions): SqlEventStore {
  return new SqlEventStore('postgres', createPgClient(options), { isConnectionError: isPgConnectionError, ...options });
}
