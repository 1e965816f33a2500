import { describe, expect, it } from 'vitest';
import { isApprenticeError } from '../../../core/errors.js';
import type { NewTokenRecord, TokenStore } from '../token-store.js';
import { hashToken } from '../tokens.js';

const rec = (n: number, extra: Partial<NewTokenRecord> = {}): NewTokenRecord => ({
  id: `0190f3c2-7a1b-7c3d-8e4f-${String(n).padStart(12, '0')}`,
  name: `token-${n}`,
  role: 'viewer',
  hash: hashToken(`apr_${n}`),
  createdAt: `2026-01-0${n}T00:00:00.000Z`,
  ...extra,
});

/**
 * The contract every TokenStore implementation must meet (STYLE.md §12). `make` returns a
 * fresh, empty store; `cleanup` runs after each test.
 */
export function tokenStoreContract(
  name: string,
  make: () => Promise<TokenStore>,
  cleanup?: () => Promise<void>,
): void {
  describe(`TokenStore contract: ${name}`, () => {
    const withStore = (fn: (s: TokenStore) => Promise<void>) => async () => {
      const s = await make();
      try {
        await fn(s);
      } finally {
        await cleanup?.();
      }
    };

    it(
      'create then findByHash returns the record; unknown hash is undefined',
      withStore(async (s) => {
        const created = await s.create(rec(1, { role: 'admin', expiresAt: '2027-01-01T00:00:00.000Z' }));
        expect(await s.findByHash(hashToken('apr_1'))).toEqual(created);
        expect(created).toMatchObject({
          role: 'admin',
          name: 'token-1',
          expiresAt: '2027-01-01T00:00:00.000Z',
        });
        expect(await s.findByHash(hashToken('apr_nope'))).toBeUndefined();
      }),
    );

    it(
      'rejects a duplicate id or hash with CONFLICT',
      withStore(async (s) => {
        await s.create(rec(1));
        for (const dup of [rec(1, { hash: hashToken('other') }), rec(2, { hash: hashToken('apr_1') })]) {
          const err = await s.create(dup).catch((e: unknown) => e);
          expect(isApprenticeError(err) && err.code).toBe('CONFLICT');
        }
      }),
    );

    it(
      'lists oldest first, revoked included',
      withStore(async (s) => {
        await s.create(rec(2));
        await s.create(rec(1));
        await s.revoke(rec(2).id, '2026-02-01T00:00:00.000Z');
        const list = await s.list();
        expect(list.map((r) => r.name)).toEqual(['token-1', 'token-2']);
        expect(list[1]!.revokedAt).toBe('2026-02-01T00:00:00.000Z');
      }),
    );

    it(
      'revoke is true once, then false; unknown ids are false',
      withStore(async (s) => {
        await s.create(rec(1));
        expect(await s.revoke(rec(1).id, '2026-02-01T00:00:00.000Z')).toBe(true);
        expect(await s.revoke(rec(1).id, '2026-03-01T00:00:00.000Z')).toBe(false);
        expect(await s.revoke('missing', '2026-03-01T00:00:00.000Z')).toBe(false);
        expect((await s.findByHash(hashToken('apr_1')))?.revokedAt).toBe('2026-02-01T00:00:00.000Z');
      }),
    );
  });
}
