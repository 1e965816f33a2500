import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authenticate, issueToken } from './authenticate.js';
import { createMemoryTokenStore } from './memory-token-store.js';
import { roleAllows, type Role } from './roles.js';
import { generateToken, hashToken, parseBearer, TOKEN_RE, verifyToken } from './tokens.js';

describe('tokens', () => {
  it('generates apr_ + 43 base62 chars, all distinct, with near-uniform characters', () => {
    const tokens = Array.from({ length: 2000 }, generateToken);
    expect(tokens.every((t) => TOKEN_RE.test(t))).toBe(true);
    expect(new Set(tokens).size).toBe(tokens.length);
    const counts = new Map<string, number>();
    for (const t of tokens) for (const c of t.slice(4)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = (2000 * 43) / 62;
    // chi-square with 61 dof: p = 1e-6 critical value ~ 123
    const chi2 = [...counts.values()].reduce((s, n) => s + (n - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(123);
  });

  it('hashes with SHA-256 and verifies only the right token', () => {
    const t = generateToken();
    const h = hashToken(t);
    expect(h).toBe(createHash('sha256').update(t).digest('hex'));
    expect(verifyToken(t, h)).toBe(true);
    expect(verifyToken(t, h.toUpperCase())).toBe(true);
    expect(verifyToken(generateToken(), h)).toBe(false);
    expect(verifyToken(t, 'not-a-hash')).toBe(false);
    expect(verifyToken(t, '')).toBe(false);
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(verifyToken(a, hashToken(b))).toBe(a === b);
      }),
    );
  });

  it('orders roles viewer < operator < admin', () => {
    const roles: Role[] = ['viewer', 'operator', 'admin'];
    const table = roles.map((r) => roles.map((req) => roleAllows(r, req)));
    expect(table).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
    expect(roleAllows('root' as Role, 'viewer')).toBe(false);
  });

  it('parses Bearer headers', () => {
    expect(parseBearer('Bearer apr_x')).toBe('apr_x');
    expect(parseBearer('bearer  apr_x ')).toBe('apr_x');
    expect(parseBearer('Basic abc')).toBeUndefined();
    expect(parseBearer(undefined)).toBeUndefined();
  });
});

describe('authenticate', () => {
  it('accepts a valid token with enough role and reports every failure as data', async () => {
    const store = createMemoryTokenStore();
    const now = new Date('2026-06-01T00:00:00Z');
    const op = await issueToken(store, { name: 'ci', role: 'operator', now });
    const expired = await issueToken(store, {
      name: 'old',
      role: 'admin',
      expiresAt: '2026-05-01T00:00:00Z',
      now,
    });
    const revoked = await issueToken(store, { name: 'gone', role: 'admin', now });
    await store.revoke(revoked.record.id, now.toISOString());

    expect(op.record.hash).toBe(hashToken(op.token));
    expect(JSON.stringify(await store.list())).not.toContain(op.token);
    expect(await authenticate(store, op.token, 'viewer', now)).toMatchObject({
      ok: true,
      token: { name: 'ci' },
    });
    expect(await authenticate(store, op.token, 'admin', now)).toMatchObject({
      ok: false,
      reason: 'FORBIDDEN',
    });
    expect(await authenticate(store, undefined, 'viewer', now)).toEqual({ ok: false, reason: 'MISSING' });
    expect(await authenticate(store, 'hunter2', 'viewer', now)).toEqual({ ok: false, reason: 'MALFORMED' });
    expect(await authenticate(store, generateToken(), 'viewer', now)).toEqual({
      ok: false,
      reason: 'UNKNOWN',
    });
    expect(await authenticate(store, expired.token, 'viewer', now)).toMatchObject({
      ok: false,
      reason: 'EXPIRED',
    });
    expect(await authenticate(store, revoked.token, 'viewer', now)).toMatchObject({
      ok: false,
      reason: 'REVOKED',
    });
  });
});
