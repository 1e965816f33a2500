import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'apr_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 43 base62 characters ≈ 256 bits of entropy. */
export const TOKEN_RANDOM_CHARS = 43;
export const TOKEN_RE = /^apr_[0-9A-Za-z]{43}$/;

/**
 * A new API token: `apr_` + 43 random base62 characters (≈ 256 bits). Shown once to the
 * user; only `hashToken(token)` is stored.
 * @example
 * const token = generateToken(); // 'apr_3kT9...'
 */
export function generateToken(): string {
  let out = '';
  while (out.length < TOKEN_RANDOM_CHARS) {
    for (const b of randomBytes(64)) {
      // rejection sampling: 248 = 4 × 62, so bytes below it map uniformly
      if (b < 248 && out.length < TOKEN_RANDOM_CHARS) out += BASE62[b % 62];
    }
  }
  return TOKEN_PREFIX + out;
}

/**
 * SHA-256 hex of a token. A fast hash is right here: tokens carry 256 bits of entropy, so
 * unlike passwords they cannot be brute-forced from the hash (no need for scrypt/argon2),
 * and the hash can be an indexed lookup key.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const DUMMY = Buffer.alloc(32);

/** Whether `presented` hashes to `storedHash`, compared in constant time. */
export function verifyToken(presented: string, storedHash: string): boolean {
  const actual = createHash('sha256').update(String(presented), 'utf8').digest();
  const expected = /^[0-9a-f]{64}$/i.test(storedHash) ? Buffer.from(storedHash, 'hex') : undefined;
  // compare even on a malformed stored hash, so timing does not depend on it
  const equal = timingSafeEqual(actual, expected ?? DUMMY);
  return expected !== undefined && equal;
}

/** The token from an `Authorization: Bearer apr_...` header value, or undefined. */
export function parseBearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
