import { uuidv7 } from '../../core/index.js';
import { roleAllows, type Role } from './roles.js';
import type { TokenRecord, TokenStore } from './token-store.js';
import { generateToken, hashToken, TOKEN_RE, verifyToken } from './tokens.js';

export interface IssueTokenOptions {
  readonly name: string;
  readonly role: Role;
  readonly expiresAt?: string;
  /** Default: now. */
  readonly now?: Date;
}

/**
 * Creates a token and stores its hash. The clear token is returned once, here only.
 * @example
 * const { token, record } = await issueToken(store, { name: 'ci', role: 'operator' });
 */
export async function issueToken(
  store: TokenStore,
  options: IssueTokenOptions,
): Promise<{ token: string; record: TokenRecord }> {
  const token = generateToken();
  const record = await store.create({
    id: uuidv7(),
    name: options.name,
    role: options.role,
    hash: hashToken(token),
    createdAt: (options.now ?? new Date()).toISOString(),
    ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt }),
  });
  return { token, record };
}

/** Why a request was refused; the edge maps MISSING/MALFORMED/UNKNOWN/REVOKED/EXPIRED to 401 and FORBIDDEN to 403. */
export type AuthFailure = 'MISSING' | 'MALFORMED' | 'UNKNOWN' | 'REVOKED' | 'EXPIRED' | 'FORBIDDEN';
export type AuthResult =
  | { readonly ok: true; readonly token: TokenRecord }
  | { readonly ok: false; readonly reason: AuthFailure; readonly token?: TokenRecord };

/**
 * Checks a presented token against the store and a required role. Returns data, never throws
 * for a bad token (store failures do propagate).
 */
export async function authenticate(
  store: TokenStore,
  presented: string | undefined,
  required: Role,
  now: Date = new Date(),
): Promise<AuthResult> {
  if (presented === undefined || presented === '') return { ok: false, reason: 'MISSING' };
  if (!TOKEN_RE.test(presented)) return { ok: false, reason: 'MALFORMED' };
  const record = await store.findByHash(hashToken(presented));
  if (record === undefined || !verifyToken(presented, record.hash)) return { ok: false, reason: 'UNKNOWN' };
  if (record.revokedAt !== undefined) return { ok: false, reason: 'REVOKED', token: record };
  if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now.getTime())
    return { ok: false, reason: 'EXPIRED', token: record };
  if (!roleAllows(record.role, required)) return { ok: false, reason: 'FORBIDDEN', token: record };
  return { ok: true, token: record };
}
