import { ConflictError } from '../../core/index.js';
import type { SqlExecutor } from '../../log/index.js';
import { isRole } from './roles.js';
import type { NewTokenRecord, TokenRecord, TokenStore } from './token-store.js';

/** Table created by migrations/030_api_tokens.sql. */
export const TOKENS_TABLE = 'api_tokens';

type Row = Record<string, unknown>;

const iso = (v: unknown): string | undefined =>
  v === null || v === undefined ? undefined : (v instanceof Date ? v : new Date(String(v))).toISOString();

function fromRow(r: Row): TokenRecord {
  const role = String(r.role);
  if (!isRole(role)) throw new Error(`api_tokens row ${String(r.id)} has an unknown role`);
  const expiresAt = iso(r.expires_at);
  const revokedAt = iso(r.revoked_at);
  return {
    id: String(r.id),
    name: String(r.name),
    role,
    hash: String(r.hash),
    createdAt: iso(r.created_at)!,
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(revokedAt === undefined ? {} : { revokedAt }),
  };
}

/** PostgreSQL unique_violation. */
const isUniqueViolation = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505';

const COLUMNS = 'id, name, role, hash, created_at, expires_at, revoked_at';

/**
 * TokenStore over the `api_tokens` table, on PostgreSQL or PGlite (any `SqlExecutor`, e.g.
 * `(store as SqlEventStore).client`). Stores only the SHA-256 of each token.
 * @example
 * const tokens = createSqlTokenStore(sqlEventStore.client);
 * const { token } = await issueToken(tokens, { name: 'ci', role: 'operator' });
 */
export function createSqlTokenStore(db: SqlExecutor): TokenStore {
  return {
    async create(record: NewTokenRecord) {
      try {
        const [row] = await db.query(
          `INSERT INTO ${TOKENS_TABLE} (id, name, role, hash, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
          [
            record.id,
            record.name,
            record.role,
            record.hash.toLowerCase(),
            record.createdAt,
            record.expiresAt ?? null,
          ],
        );
        return fromRow(row!);
      } catch (e) {
        if (isUniqueViolation(e))
          throw new ConflictError('a token with this id or hash already exists', { cause: e });
        throw e;
      }
    },
    async list() {
      const rows = await db.query(`SELECT ${COLUMNS} FROM ${TOKENS_TABLE} ORDER BY created_at, id`);
      return rows.map(fromRow);
    },
    async revoke(id, at) {
      const rows = await db.query(
        `UPDATE ${TOKENS_TABLE} SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
        [id, at],
      );
      return rows.length === 1;
    },
    async findByHash(hash) {
      const [row] = await db.query(`SELECT ${COLUMNS} FROM ${TOKENS_TABLE} WHERE hash = $1`, [
        hash.toLowerCase(),
      ]);
      return row === undefined ? undefined : fromRow(row);
    },
  };
}
