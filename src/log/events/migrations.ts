import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlClient } from './sql-client.js';
import { packageRoot } from '../../core/index.js';

/** `migrations/` at the package root. */
export const MIGRATIONS_DIR = join(packageRoot(), 'migrations');

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: parseInt(f, 10), name: f, sql: readFileSync(join(dir, f), 'utf8') }));
}

/**
 * Apply pending migrations in order, each in its own transaction, under an advisory lock
 * so concurrent starts do not race. The same files run on PostgreSQL and PGlite.
 */
export async function runMigrations(client: SqlClient, migrations: readonly Migration[] = loadMigrations()): Promise<number[]> {
  await client.exec(
    `CREATE TABLE IF NOT EXISTS apprentice_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
       applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
  );
  const applied: number[] = [];
  await client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':apprentice-migrate'))`);
    const done = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM apprentice_migrations')).map((r) => r.version),
    );
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO apprentice_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
  });
  return applied;
}
