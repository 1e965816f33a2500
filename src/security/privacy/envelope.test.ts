import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCryptoError } from './crypto-error.js';
import { createEnvelopeEncryptor, type EncryptedRecord } from './envelope.js';
import { createKeyring, keyringFromBase64, loadKeyring, parseKeyringFile } from './keyring.js';

const key = (id: string) => ({ id, key: randomBytes(32), createdAt: '2026-01-01T00:00:00Z' });

function expectCryptoError(fn: () => unknown, keyId: string): void {
  try {
    fn();
    expect.unreachable('should have thrown');
  } catch (e) {
    expect(isCryptoError(e)).toBe(true);
    expect((e as Error & { code: string }).code).toBe('CRYPTO_FAILED');
    expect((e as Error).message).toContain(keyId);
  }
}

describe('envelope encryption', () => {
  it('round-trips any JSON value (property)', () => {
    const enc = createEnvelopeEncryptor(createKeyring({ keys: [key('k1')] }));
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(enc.decrypt(enc.encrypt(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 200 },
    );
  });

  it('writes a record with key id, wrapped data key, iv and tag; no plaintext', () => {
    const enc = createEnvelopeEncryptor(createKeyring({ keys: [key('k1')] }));
    const rec = enc.encrypt({ email: 'ada@example.com' });
    expect(rec).toMatchObject({ v: 1, alg: 'A256GCM', kid: 'k1' });
    expect(Buffer.from(rec.wk, 'base64')).toHaveLength(12 + 16 + 32);
    expect(Buffer.from(rec.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(rec.tag, 'base64')).toHaveLength(16);
    expect(JSON.stringify(rec)).not.toContain('ada@');
    expect(enc.encrypt('x').iv).not.toBe(enc.encrypt('x').iv);
  });

  it('fails with CRYPTO_FAILED naming the key id on a missing or wrong key, never garbage', () => {
    const rec = createEnvelopeEncryptor(createKeyring({ keys: [key('k1')] })).encrypt('secret');
    expectCryptoError(() => createEnvelopeEncryptor(createKeyring({ keys: [key('k2')] })).decrypt(rec), 'k1');
    expectCryptoError(() => createEnvelopeEncryptor(createKeyring({ keys: [key('k1')] })).decrypt(rec), 'k1');
  });

  it('detects tampering with any field (GCM authentication) and aad mismatch', () => {
    const enc = createEnvelopeEncryptor(createKeyring({ keys: [key('k1')] }));
    const rec = enc.encrypt({ a: 1 }, { aad: 'event-1' });
    expect(enc.decrypt(rec, { aad: 'event-1' })).toEqual({ a: 1 });
    expectCryptoError(() => enc.decrypt(rec, { aad: 'event-2' }), 'k1');
    const flip = (b64: string): string => {
      const b = Buffer.from(b64, 'base64');
      b[b.length - 1]! ^= 1;
      return b.toString('base64');
    };
    for (const field of ['wk', 'iv', 'tag', 'ct'] as const) {
      const bad: EncryptedRecord = { ...rec, [field]: flip(rec[field]) };
      expectCryptoError(() => enc.decrypt(bad, { aad: 'event-1' }), 'k1');
    }
    expectCryptoError(() => enc.decrypt({ ...rec, ct: '!!!' }, { aad: 'event-1' }), 'k1');
    expect(() => enc.decrypt({ v: 2 } as unknown as EncryptedRecord)).toThrowError(/not an encrypted record/);
  });

  it('rotation: new records use the new key, old ones stay readable, reencrypt moves them', () => {
    const ring = createKeyring({ keys: [key('k1')] });
    const enc = createEnvelopeEncryptor(ring);
    const old = enc.encrypt({ n: 1 });
    const k2 = ring.rotate({ id: 'k2' });
    expect(ring.activeKeyId).toBe('k2');
    expect(k2.key).toHaveLength(32);
    const fresh = enc.encrypt({ n: 2 });
    expect(fresh.kid).toBe('k2');
    expect(enc.decrypt(old)).toEqual({ n: 1 });
    const moved = enc.reencrypt(old);
    expect(moved.kid).toBe('k2');
    expect(enc.decrypt(moved)).toEqual({ n: 1 });
    expect(enc.reencrypt(moved)).toBe(moved);
    // once k1 is dropped, only re-encrypted records remain readable
    const onlyK2 = createEnvelopeEncryptor(createKeyring({ keys: [k2] }));
    expect(onlyK2.decrypt(moved)).toEqual({ n: 1 });
    expectCryptoError(() => onlyK2.decrypt(old), 'k1');
  });
});

describe('keyring', () => {
  const b64 = randomBytes(32).toString('base64');

  it('parses a key file and validates it with field issues', () => {
    const ring = parseKeyringFile({
      active: 'a',
      keys: [
        { id: 'a', key: b64, createdAt: '2026-01-01' },
        { id: 'b', key: b64, createdAt: '2026-01-02' },
      ],
    });
    expect(ring.activeKeyId).toBe('a');
    expect(ring.ids()).toEqual(['a', 'b']);
    expect(ring.toFile().keys[0]!.key).toBe(b64);
    expect(() =>
      parseKeyringFile({ active: 'a', keys: [{ id: 'a', key: 'c2hvcnQ=', createdAt: 'x' }] }),
    ).toThrowError(/keys\.0\.key: must be base64 of exactly 32 bytes/);
    expect(() =>
      parseKeyringFile({ active: 'zz', keys: [{ id: 'a', key: b64, createdAt: 'x' }] }),
    ).toThrowError(/active master key zz/);
    expect(() => parseKeyringFile({ keys: [] })).toThrowError(/invalid key file/);
  });

  it('reads APPRENTICE_MASTER_KEY with a fingerprint id, and fails clearly without a key', () => {
    const ring = loadKeyring({ env: { APPRENTICE_MASTER_KEY: b64 } });
    expect(ring.activeKeyId).toMatch(/^env-[0-9a-f]{8}$/);
    expect(keyringFromBase64(b64).activeKeyId).toBe(ring.activeKeyId);
    expect(() => loadKeyring({ env: {} })).toThrowError(/APPRENTICE_MASTER_KEY/);
    expect(() => loadKeyring({ env: { APPRENTICE_MASTER_KEY: 'dG9vIHNob3J0' } })).toThrowError(/32 bytes/);
  });

  it('get() of an unknown id is a CryptoError naming it', () => {
    expectCryptoError(() => createKeyring({ keys: [key('k1')] }).get('nope'), 'nope');
  });
});
