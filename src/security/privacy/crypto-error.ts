import { ApprenticeError, ErrorCode, isApprenticeError } from '../../core/index.js';

/**
 * A cryptographic operation failed: a missing or wrong key, a tampered record (GCM
 * authentication), a malformed record. Never returns garbage: the caller gets this instead.
 */
export class CryptoError extends ApprenticeError {
  /** The key id involved, when one is known (never the key material). */
  readonly keyId: string | undefined;
  constructor(message: string, options?: { keyId?: string | undefined; cause?: unknown }) {
    super(ErrorCode.CRYPTO, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CryptoError';
    this.keyId = options?.keyId;
  }
}

export const isCryptoError = (e: unknown): e is CryptoError =>
  isApprenticeError(e) && e.code === ErrorCode.CRYPTO;

const subjectBrand = Symbol.for('apprentice.subject-erased');

/**
 * The data key of a subject is gone (crypto-shredded, or never created): the subject's
 * records can no longer be decrypted. `subjectRef` is the hashed reference, not the raw id.
 */
export class SubjectErasedError extends CryptoError {
  readonly [subjectBrand] = true;
  readonly subjectRef: string;
  constructor(subjectRef: string) {
    super(`no data key for subject ${subjectRef}: it was erased (crypto-shredded) or never created`);
    this.name = 'SubjectErasedError';
    this.subjectRef = subjectRef;
  }
}

export const isSubjectErasedError = (e: unknown): e is SubjectErasedError =>
  isCryptoError(e) && (e as unknown as Record<symbol, unknown>)[subjectBrand] === true;
