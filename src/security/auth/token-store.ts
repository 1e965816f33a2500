import type { Role } from './roles.js';

/** A stored API token. Only the SHA-256 of the token is kept. */
export interface TokenRecord {
  /** Opaque id (UUIDv7), shown in lists and audit events. */
  readonly id: string;
  /** Human label, e.g. `ci-deployer`. Used as the audit actor. */
  readonly name: string;
  readonly role: Role;
  /** `hashToken(token)`: 64 hex characters, unique. */
  readonly hash: string;
  /** ISO-8601. */
  readonly createdAt: string;
  readonly expiresAt?: string | undefined;
  readonly revokedAt?: string | undefined;
}

export type NewTokenRecord = Omit<TokenRecord, 'revokedAt'>;

/**
 * Where tokens live. Every method maps to one SQL statement (INSERT; SELECT ORDER BY
 * created_at, id; UPDATE ... SET revoked_at WHERE id AND revoked_at IS NULL; SELECT WHERE
 * hash = $1 on a unique index), so a PostgreSQL adapter can implement it directly; run
 * `tokenStoreContract` (testing/) against every implementation.
 */
export interface TokenStore {
  /** ConflictError when the id or hash exists. */
  create(record: NewTokenRecord): Promise<TokenRecord>;
  /** All tokens, revoked included, oldest first. */
  list(): Promise<readonly TokenRecord[]>;
  /** Marks the token revoked at `at`. False when unknown or already revoked. */
  revoke(id: string, at: string): Promise<boolean>;
  findByHash(hash: string): Promise<TokenRecord | undefined>;
}
