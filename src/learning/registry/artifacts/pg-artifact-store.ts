import { NotFoundError } from '../../../core/index.js';
import type { SqlClient } from '../../../log/index.js';
import { artifactKey, assertArtifactKey, sha256Hex, type ArtifactStore, type StoredArtifact } from './artifact-store.js';

/**
 * Artifacts as rows of `model_artifacts` (migration 040) in the event store's database, keyed
 * by content address: the server-mode default, so every instance on one PostgreSQL can load
 * every version with nothing more to run. Works on PGlite too (same SQL).
 * @example
 * const store = createPgArtifactStore(sqlClient);
 */
export function createPgArtifactStore(sql: SqlClient): ArtifactStore {
  return {
    kind: 'postgres',
    async put(bytes): Promise<StoredArtifact> {
      const sha256 = sha256Hex(bytes);
      const key = artifactKey(sha256);
      await sql.query('INSERT INTO model_artifacts (key, sha256, size, bytes) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING', [
        key,
        sha256,
        bytes.byteLength,
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      ]);
      return { key, sha256, size: bytes.byteLength };
    },
    async get(key) {
      assertArtifactKey(key);
      const rows = await sql.query<{ bytes: Uint8Array }>('SELECT bytes FROM model_artifacts WHERE key = $1', [key]);
      const row = rows[0];
      if (!row) throw new NotFoundError(`artifact ${key} is missing from model_artifacts`);
      return new Uint8Array(row.bytes);
    },
    async has(key) {
      assertArtifactKey(key);
      return (await sql.query('SELECT 1 FROM model_artifacts WHERE key = $1', [key])).length > 0;
    },
    async *list() {
      let after = '';
      for (;;) {
        const rows = await sql.query<{ key: string }>('SELECT key FROM model_artifacts WHERE key > $1 ORDER BY key LIMIT 500', [after]);
        for (const r of rows) yield r.key;
        const last = rows[rows.length - 1];
        if (!last || rows.length < 500) return;
        after = last.key;
      }
    },
    async ping() {
      await sql.query('SELECT 1 FROM model_artifacts LIMIT 1');
    },
    async close() {},
  };
}
