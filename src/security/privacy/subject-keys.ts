import { createHash, createHmac, randomBytes } from 'node:crypto';
import { CryptoError, SubjectErasedError } from './crypto-error.js';
import { jsonBytes, parseJsonBytes } from './envelope.js';
import { fromBase64, open, packSealed, seal, unpackSealed } from './internal/aes-gcm.js';
import type { Keyring } from './keyring.js';
import type { StoredSubjectKey, SubjectKeyStore } from './subject-key-store.js';

/** A value encrypted under one subject's data key. Erasing the key shreds it. */
export interface SubjectRecord {
  readonly v: 1;
  readonly alg: 'A256GCM';
  /** Hashed subject reference (not the raw subject id, which may itself be personal data). */
  readonly sub: string;
  readonly iv: string;
  readonly tag: string;
  readonly ct: string;
}

export interface SubjectEncryptorOptions {
  readonly keyring: Keyring;
  readonly store: SubjectKeyStore;
  /**
   * Secret for the subject reference (HMAC-SHA256 of the subject id). Recommended: without
   * it the reference is a plain SHA-256, which a dictionary of e-mail addresses can reverse.
   * Must stay stable for the life of the data. Default: none (SHA-256).
   */
  readonly refSecret?: Buffer;
  /** Default: `() => new Date()`. */
  readonly now?: () => Date;
}

export interface SubjectEncryptor {
  /** The stable reference of a subject id (what records and the key store carry). */
  subjectRef(subjectId: string): string;
  encryptForSubject(subjectId: string, value: unknown): Promise<SubjectRecord>;
  /** Throws SubjectErasedError once the subject's key is erased; CryptoError on a wrong key or tampering. */
  decryptForSubject(record: SubjectRecord): Promise<unknown>;
  /** Destroys the subject's data key. Returns false when there was none. */
  erase(subjectId: string): Promise<boolean>;
  /** Re-wraps the subject's key under the active master key (after a rotation). */
  rewrap(subjectId: string): Promise<boolean>;
}

const keyAad = (ref: string, kid: string): Buffer => Buffer.from(`apprentice/subject/v1/key/${ref}/${kid}`);
const dataAad = (ref: string): Buffer => Buffer.from(`apprentice/subject/v1/data/${ref}`);

export const isSubjectRecord = (x: unknown): x is SubjectRecord =>
  typeof x === 'object' &&
  x !== null &&
  (x as { v?: unknown }).v === 1 &&
  (x as { alg?: unknown }).alg === 'A256GCM' &&
  typeof (x as { sub?: unknown }).sub === 'string';

/**
 * Per-subject encryption for crypto-shredding (GDPR erasure in an append-only store).
 * @example
 * const subjects = createSubjectEncryptor({ keyring, store: createFileSubjectKeyStore(dir) });
 * const rec = await subjects.encryptForSubject('user-42', { email: 'ada@example.com' });
 * await subjects.erase('user-42');
 * await subjects.decryptForSubject(rec); // throws SubjectErasedError
 */
export function createSubjectEncryptor(options: SubjectEncryptorOptions): SubjectEncryptor {
  const { keyring, store } = options;
  const now = options.now ?? (() => new Date());
  const subjectRef = (subjectId: string): string =>
    (options.refSecret === undefined
      ? createHash('sha256').update(`apprentice/subject/${subjectId}`)
      : createHmac('sha256', options.refSecret).update(subjectId)
    ).digest('hex');
  const pending = new Map<string, Promise<StoredSubjectKey>>();

  const wrap = (ref: string, dataKey: Buffer): StoredSubjectKey => {
    const master = keyring.active();
    const sealed = seal(master.key, dataKey, keyAad(ref, master.id));
    return {
      v: 1,
      kid: master.id,
      wk: packSealed(sealed).toString('base64'),
      createdAt: now().toISOString(),
    };
  };
  const unwrap = (ref: string, stored: StoredSubjectKey): Buffer => {
    const master = keyring.get(stored.kid);
    const wk = fromBase64(stored.wk);
    try {
      if (wk === undefined) throw new Error('wrapped key is not base64');
      return open(master.key, unpackSealed(wk), keyAad(ref, stored.kid));
    } catch (cause) {
      throw new CryptoError(`cannot unwrap the key of subject ${ref} with master key ${stored.kid}`, {
        keyId: stored.kid,
        cause,
      });
    }
  };
  const keyFor = (ref: string): Promise<StoredSubjectKey> => {
    // one creation in flight per subject in this process; the store arbitrates between processes
    const inFlight = pending.get(ref);
    if (inFlight !== undefined) return inFlight;
    const p = (async () => {
      const existing = await store.get(ref);
      if (existing !== undefined) return existing;
      const dataKey = randomBytes(32);
      try {
        return await store.createIfAbsent(ref, wrap(ref, dataKey));
      } finally {
        dataKey.fill(0);
      }
    })().finally(() => pending.delete(ref));
    pending.set(ref, p);
    return p;
  };

  return {
    subjectRef,
    async encryptForSubject(subjectId, value) {
      const ref = subjectRef(subjectId);
      const dataKey = unwrap(ref, await keyFor(ref));
      try {
        const body = seal(dataKey, jsonBytes(value), dataAad(ref));
        return {
          v: 1,
          alg: 'A256GCM',
          sub: ref,
          iv: body.iv.toString('base64'),
          tag: body.tag.toString('base64'),
          ct: body.ct.toString('base64'),
        };
      } finally {
        dataKey.fill(0);
      }
    },
    async decryptForSubject(record) {
      if (!isSubjectRecord(record))
        throw new CryptoError('not a subject record (expected v=1, alg=A256GCM, sub)');
      const ref = record.sub;
      if (!/^[0-9a-f]{64}$/.test(ref)) throw new CryptoError('malformed subject reference in record');
      const stored = await store.get(ref);
      if (stored === undefined) throw new SubjectErasedError(ref);
      const dataKey = unwrap(ref, stored);
      const iv = fromBase64(record.iv);
      const tag = fromBase64(record.tag);
      const ct = fromBase64(record.ct);
      try {
        if (iv === undefined || tag === undefined || ct === undefined)
          throw new Error('record fields are not base64');
        return parseJsonBytes(open(dataKey, { iv, tag, ct }, dataAad(ref)), stored.kid);
      } catch (cause) {
        if (cause instanceof CryptoError) throw cause;
        throw new CryptoError(`record of subject ${ref} failed authentication: tampered or foreign data`, {
          keyId: stored.kid,
          cause,
        });
      } finally {
        dataKey.fill(0);
      }
    },
    erase: (subjectId) => store.delete(subjectRef(subjectId)),
    async rewrap(subjectId) {
      const ref = subjectRef(subjectId);
      const stored = await store.get(ref);
      if (stored === undefined) return false;
      if (stored.kid === keyring.activeKeyId) return true;
      const dataKey = unwrap(ref, stored);
      try {
        await store.replace(ref, wrap(ref, dataKey));
      } finally {
        dataKey.fill(0);
      }
      return true;
    },
  };
}
