import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isCryptoError, isSubjectErasedError } from './crypto-error.js';
import { createKeyring } from './keyring.js';
import { createMemorySubjectKeyStore } from './subject-key-store.js';
import { createSubjectEncryptor } from './subject-keys.js';

const ring = () =>
  createKeyring({ keys: [{ id: 'k1', key: randomBytes(32), createdAt: '2026-01-01T00:00:00Z' }] });

describe('subject encryption (crypto-shredding)', () => {
  it('round-trips, and erasure shreds copies taken before it while other subjects still decrypt', async () => {
    const s = createSubjectEncryptor({ keyring: ring(), store: createMemorySubjectKeyStore() });
    const ada = await s.encryptForSubject('ada@example.com', { note: 'hello' });
    const copy = structuredClone(ada);
    const alan = await s.encryptForSubject('alan', [1, 2]);
    expect(JSON.stringify(ada)).not.toContain('ada@');
    expect(await s.decryptForSubject(ada)).toEqual({ note: 'hello' });
    expect(await s.erase('ada@example.com')).toBe(true);
    expect(await s.erase('ada@example.com')).toBe(false);
    const err = await s.decryptForSubject(copy).catch((e: unknown) => e);
    expect(isSubjectErasedError(err)).toBe(true);
    expect((err as { code: string }).code).toBe('CRYPTO_FAILED');
    expect(await s.decryptForSubject(alan)).toEqual([1, 2]);
  });

  it('uses one key per subject even under concurrent first writes', async () => {
    const store = createMemorySubjectKeyStore();
    const s = createSubjectEncryptor({ keyring: ring(), store });
    const recs = await Promise.all(Array.from({ length: 20 }, (_, i) => s.encryptForSubject('same', i)));
    expect(await Promise.all(recs.map((r) => s.decryptForSubject(r)))).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  it('a record of one subject relabelled as another fails authentication', async () => {
    const s = createSubjectEncryptor({ keyring: ring(), store: createMemorySubjectKeyStore() });
    const a = await s.encryptForSubject('a', 'x');
    await s.encryptForSubject('b', 'y');
    const err = await s.decryptForSubject({ ...a, sub: s.subjectRef('b') }).catch((e: unknown) => e);
    expect(isCryptoError(err) && !isSubjectErasedError(err)).toBe(true);
  });

  it('refSecret makes the reference an HMAC (not a dictionary-reversible hash)', () => {
    const plain = createSubjectEncryptor({ keyring: ring(), store: createMemorySubjectKeyStore() });
    const keyed = createSubjectEncryptor({
      keyring: ring(),
      store: createMemorySubjectKeyStore(),
      refSecret: Buffer.alloc(32, 1),
    });
    expect(keyed.subjectRef('ada')).toMatch(/^[0-9a-f]{64}$/);
    expect(keyed.subjectRef('ada')).not.toBe(plain.subjectRef('ada'));
  });

  it('rewrap moves a subject key to the active master key after rotation', async () => {
    const keyring = ring();
    const store = createMemorySubjectKeyStore();
    const s = createSubjectEncryptor({ keyring, store });
    const rec = await s.encryptForSubject('ada', 1);
    keyring.rotate({ id: 'k2' });
    expect(await s.rewrap('ada')).toBe(true);
    expect((await store.get(s.subjectRef('ada')))?.kid).toBe('k2');
    expect(await s.decryptForSubject(rec)).toBe(1);
    expect(await s.rewrap('nobody')).toBe(false);
  });
});
