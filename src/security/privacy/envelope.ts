import { randomBytes } from 'node:crypto';
import { CryptoError } from './crypto-error.js';
import { fromBase64, open, packSealed, seal, unpackSealed } from './internal/aes-gcm.js';
import type { Keyring } from './keyring.js';

/**
 * An envelope-encrypted JSON value. A fresh 256-bit data key encrypts the value
 * (AES-256-GCM); the master key `kid` wraps the data key (AES-256-GCM). Only ids and
 * ciphertext are stored: the master key lives in a key file or the environment.
 */
export interface EncryptedRecord {
  readonly v: 1;
  readonly alg: 'A256GCM';
  /** Id of the master key that wrapped the data key. */
  readonly kid: string;
  /** Wrapped data key, base64 of iv(12) | tag(16) | key ciphertext(32). */
  readonly wk: string;
  /** Base64 IV (12 bytes) of the value encryption. */
  readonly iv: string;
  /** Base64 GCM tag (16 bytes). */
  readonly tag: string;
  /** Base64 ciphertext of the UTF-8 JSON value. */
  readonly ct: string;
}

export interface EncryptOptions {
  /**
   * Extra authenticated data binding the record to its place (e.g. the event id). The same
   * string must be given to decrypt. Default: none.
   */
  readonly aad?: string;
}

export interface EnvelopeEncryptor {
  encrypt(value: unknown, options?: EncryptOptions): EncryptedRecord;
  /** Throws CryptoError (CRYPTO_FAILED) naming the key id on a missing/wrong key or a tampered record. */
  decrypt(record: EncryptedRecord, options?: EncryptOptions): unknown;
  /** The record under the active master key (a fresh data key); returned unchanged when already there. */
  reencrypt(record: EncryptedRecord, options?: EncryptOptions): EncryptedRecord;
  readonly keyring: Keyring;
}

const wrapAad = (kid: string): Buffer => Buffer.from(`apprentice/envelope/v1/wrap/${kid}`);
const dataAad = (kid: string, aad: string | undefined): Buffer =>
  Buffer.from(`apprentice/envelope/v1/data/${kid}/${aad ?? ''}`);

export const isEncryptedRecord = (x: unknown): x is EncryptedRecord =>
  typeof x === 'object' &&
  x !== null &&
  (x as { v?: unknown }).v === 1 &&
  (x as { alg?: unknown }).alg === 'A256GCM' &&
  typeof (x as { kid?: unknown }).kid === 'string' &&
  typeof (x as { wk?: unknown }).wk === 'string';

/** Serialises a JSON value to bytes; `undefined` (not JSON) becomes `null`. */
export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value) ?? 'null', 'utf8');
}

export function parseJsonBytes(bytes: Buffer, keyId: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new CryptoError(`decrypted payload under key ${keyId} is not JSON`, { keyId, cause });
  }
}

/**
 * Envelope encryption of JSON values under a keyring.
 * @example
 * const enc = createEnvelopeEncryptor(loadKeyring());
 * const record = enc.encrypt({ email: 'ada@example.com' });
 * enc.decrypt(record); // { email: 'ada@example.com' }
 */
export function createEnvelopeEncryptor(keyring: Keyring): EnvelopeEncryptor {
  const encrypt = (value: unknown, options: EncryptOptions = {}): EncryptedRecord => {
    const master = keyring.active();
    const dataKey = randomBytes(32);
    try {
      const wrapped = seal(master.key, dataKey, wrapAad(master.id));
      const body = seal(dataKey, jsonBytes(value), dataAad(master.id, options.aad));
      return {
        v: 1,
        alg: 'A256GCM',
        kid: master.id,
        wk: packSealed(wrapped).toString('base64'),
        iv: body.iv.toString('base64'),
        tag: body.tag.toString('base64'),
        ct: body.ct.toString('base64'),
      };
    } finally {
      dataKey.fill(0);
    }
  };

  const decrypt = (record: EncryptedRecord, options: EncryptOptions = {}): unknown => {
    if (!isEncryptedRecord(record))
      throw new CryptoError('not an encrypted record (expected v=1, alg=A256GCM)');
    const kid = record.kid;
    const master = keyring.get(kid);
    const wk = fromBase64(record.wk);
    const iv = fromBase64(record.iv);
    const tag = fromBase64(record.tag);
    const ct = fromBase64(record.ct);
    if (wk === undefined || iv === undefined || tag === undefined || ct === undefined) {
      throw new CryptoError(`malformed encrypted record under key ${kid}`, { keyId: kid });
    }
    let dataKey: Buffer;
    try {
      dataKey = open(master.key, unpackSealed(wk), wrapAad(kid));
    } catch (cause) {
      throw new CryptoError(
        `cannot unwrap the data key with master key ${kid}: wrong key or tampered record`,
        {
          keyId: kid,
          cause,
        },
      );
    }
    try {
      return parseJsonBytes(open(dataKey, { iv, tag, ct }, dataAad(kid, options.aad)), kid);
    } catch (cause) {
      if (cause instanceof CryptoError) throw cause;
      throw new CryptoError(
        `record under master key ${kid} failed authentication: tampered data or wrong aad`,
        {
          keyId: kid,
          cause,
        },
      );
    } finally {
      dataKey.fill(0);
    }
  };

  return {
    keyring,
    encrypt,
    decrypt,
    reencrypt(record, options = {}) {
      if (record.kid === keyring.activeKeyId) return record;
      return encrypt(decrypt(record, options), options);
    },
  };
}
