import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { lockDataDir } from './data-dir-lock.js';
import type { SqlClient, SqlExecutor } from './sql-client.js';
import { SqlEventStore, type SqlEventStoreOptions } from './sql-event-store.js';

export interface PgliteEventStoreOptions extends SqlEventStoreOptions {
  /** Data directory. Default `./.apprentice/pgdata`; `memory://` keeps it in memory. */
  readonly dataDir?: string;
}

function executor(db: PGlite | Transaction): SqlExecutor {
  return {
    async query(sql, params = []) {
      const r = await db.query(sql, params as unknown[]);
      return r.rows as never[];
    },
    async exec(sql) {
      await db.exec(sql);
    },
  };
}

export async function createPgliteClient(dataDir: string): Promise<SqlClient> {
  let unlock = (): void => undefined;
  if (!dataDir.startsWith('memory://')) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir);
  }
  let db: PGlite;
  try {
    db = await PGlite.create(dataDir);
  } catch (e) {
    unlock();
    throw e;
  }
  let closed = false;
  return {
    ...executor(db),
    transaction: (fn) => db.transaction((tx) => fn(executor(tx))),
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
      unlock();
    },
  };
}

/**
 * The embedded event store: real PostgreSQL compiled to WASM, persisted under
 * `./.apprentice/pgdata`. Same SQL and migrations as the PostgreSQL adapter.
 */
export async function createPgliteEventStore(options: PgliteEventStoreOptions = {}): Promise<SqlEventStore> {
  const client = await createPgliteClient(options.dataDir ?? './.apprentice/pgdata');
  return new SqlEventStore('pglite', client, options);
}
