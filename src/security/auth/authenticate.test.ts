/**
 * Token checks at their edges: an empty header, the record `issueToken` stores, each refusal's
 * order, the expiry instant, exact header and hash formats, role names.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authenticate, issueToken } from './authenticate.js';
import { createMemoryTokenStore } from './memory-token-store.js';
import { isRole, Role, roleAllows } from './roles.js';
import type { TokenRecord, TokenStore } from './token-store.js';
import { generateToken, hashToken, parseBearer, TOKEN_PREFIX, TOKEN_RANDOM_CHARS, TOKEN_RE, verifyToken } from './tokens.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');

describe('issueToken', () => {
  it('stores the hash, the name, the role and the creation time given; no expiresAt key without one', async () => {
    const store = createMemoryTokenStore();
    const { token, record } = await issueToken(store, { name: 'ci', role: 'operator', now: NOW });
    expect(TOKEN_RE.test(token)).toBe(true);
    expect(record).toEqual({
      id: record.id,
      name: 'ci',
      role: 'operator',
      hash: hashToken(token),
      createdAt: '2026-06-01T12:00:00.000Z',
    });
    expect(Object.keys(record)).not.toContain('expiresAt');
    expect(await store.findByHash(hashToken(token))).toEqual(record);
    const timed = await issueToken(store, { name: 't', role: 'viewer', expiresAt: '2026-07-01T00:00:00.000Z', now: NOW });
    expect(timed.record.expiresAt).toBe('2026-07-01T00:00:00.000Z');
    expect(timed.record.id).not.toBe(record.id);
  });

  it('without a time given, the creation time is now', async () => {
    const before = Date.now();
    const { record } = await issueToken(createMemoryTokenStore(), { name: 'n', role: 'viewer' });
    const at = Date.parse(record.createdAt);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });
});

describe('authenticate', () => {
  it('an empty token is MISSING, not MALFORMED', async () => {
    expect(await authenticate(createMemoryTokenStore(), '', 'viewer', NOW)).toEqual({ ok: false, reason: 'MISSING' });
  });

  it('a token a character too long or short, or with a foreign prefix, is MALFORMED and the store is not asked', async () => {
    const asked: string[] = [];
    const store: TokenStore = {
      ...createMemoryTokenStore(),
      findByHash: async (h) => {
        asked.push(h);
        return undefined;
      },
    };
    const good = generateToken();
    for (const bad of [`${good}A`, good.slice(0, -1), `xpr_${good.slice(4)}`, ` ${good}`, `${good.slice(0, -1)}-`])
      expect(await authenticate(store, bad, 'viewer', NOW)).toEqual({ ok: false, reason: 'MALFORMED' });
    expect(asked).toEqual([]);
    expect(await authenticate(store, good, 'viewer', NOW)).toEqual({ ok: false, reason: 'UNKNOWN' });
    expect(asked).toEqual([hashToken(good)]);
  });

  it('a record whose stored hash does not verify is UNKNOWN (a store that answers the wrong row)', async () => {
    const good = generateToken();
    const other: TokenRecord = { id: 'x', name: 'x', role: 'admin', hash: hashToken(generateToken()), createdAt: NOW.toISOString() };
    const store: TokenStore = { ...createMemoryTokenStore(), findByHash: async () => other };
    expect(await authenticate(store, good, 'viewer', NOW)).toEqual({ ok: false, reason: 'UNKNOWN' });
  });

  it('expiry: valid until the millisecond before expiresAt; expired at it; revoked wins over expired and role', async () => {
    const store = createMemoryTokenStore();
    const t = await issueToken(store, { name: 't', role: 'viewer', expiresAt: NOW.toISOString(), now: NOW });
    const before = new Date(NOW.getTime() - 1);
    expect(await authenticate(store, t.token, 'viewer', before)).toMatchObject({ ok: true });
    expect(await authenticate(store, t.token, 'viewer', NOW)).toEqual({ ok: false, reason: 'EXPIRED', token: t.record });
    expect(await authenticate(store, t.token, 'admin', before)).toEqual({ ok: false, reason: 'FORBIDDEN', token: t.record });
    await store.revoke(t.record.id, NOW.toISOString());
    expect(await authenticate(store, t.token, 'admin', NOW)).toMatchObject({ ok: false, reason: 'REVOKED' });
  });

  it('returns the stored record on success and checks against the clock when none is given', async () => {
    const store = createMemoryTokenStore();
    const future = await issueToken(store, { name: 'f', role: 'admin', expiresAt: '2999-01-01T00:00:00.000Z' });
    const past = await issueToken(store, { name: 'p', role: 'admin', expiresAt: '2000-01-01T00:00:00.000Z' });
    expect(await authenticate(store, future.token, 'admin')).toEqual({ ok: true, token: future.record });
    expect(await authenticate(store, past.token, 'viewer')).toMatchObject({ ok: false, reason: 'EXPIRED' });
  });
});

describe('tokens', () => {
  it('apr_ and 43 characters', () => {
    expect(TOKEN_PREFIX).toBe('apr_');
    expect(TOKEN_RANDOM_CHARS).toBe(43);
    const t = generateToken();
    expect(t).toHaveLength(47);
    expect(t.startsWith('apr_')).toBe(true);
  });

  it('verifies only a 64-hex stored hash, whatever surrounds it', () => {
    const t = generateToken();
    const h = hashToken(t);
    expect(h).toBe(createHash('sha256').update(t, 'utf8').digest('hex'));
    expect(verifyToken(t, `${h}0`)).toBe(false);
    expect(verifyToken(t, `0${h}`)).toBe(false);
    expect(verifyToken(t, `${h}\n`)).toBe(false);
    expect(verifyToken(t, h.slice(0, 63))).toBe(false);
    expect(verifyToken(t, `${h.slice(0, 63)}g`)).toBe(false);
    const zeros = '0'.repeat(64);
    expect(verifyToken(t, zeros)).toBe(false);
  });

  it('parses a Bearer header only when it is the whole header and one token', () => {
    expect(parseBearer('  Bearer apr_x')).toBe('apr_x');
    expect(parseBearer('BEARER\tapr_x')).toBe('apr_x');
    expect(parseBearer('Bearer apr_x apr_y')).toBeUndefined();
    expect(parseBearer('XBearer apr_x')).toBeUndefined();
    expect(parseBearer('Bearerapr_x')).toBeUndefined();
    expect(parseBearer('Bearer ')).toBeUndefined();
    expect(parseBearer('')).toBeUndefined();
  });
});

describe('roles', () => {
  it('has exactly viewer, operator and admin', () => {
    expect(Role).toEqual({ viewer: 'viewer', operator: 'operator', admin: 'admin' });
    for (const r of ['viewer', 'operator', 'admin']) expect(isRole(r)).toBe(true);
    for (const x of ['root', '', 'toString', 'constructor', 1, undefined, null]) expect(isRole(x)).toBe(false);
  });

  it('an unknown required role allows nobody', () => {
    expect(roleAllows('admin', 'root' as Role)).toBe(false);
    expect(roleAllows('admin', 'constructor' as Role)).toBe(false);
  });
});
