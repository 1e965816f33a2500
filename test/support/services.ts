import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The shared PostgreSQL of this machine/CI. Integration tests fail (never skip) without it. */
export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestSchema {
  readonly schema: string;
  readonly connectionString: string;
  drop(): Promise<void>;
}

/** A fresh schema for one test file; `drop()` removes it and everything in it. */
export async function createTestSchema(prefix = 't'): Promise<TestSchema> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_URL });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(`integration tests need PostgreSQL at ${PG_URL} (start it: see README): ${String(e)}`);
  }
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  return {
    schema,
    connectionString: PG_URL,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

/** A unique Redis key prefix for one test file. */
export { uniquePrefix as testPrefix } from '../../src/log/bus/testing/redis-keys.js';
