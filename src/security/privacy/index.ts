/** Privacy primitives: redaction, envelope encryption, crypto-shredding, k-anonymity, secret scrubbing. */
export { PiiType, ALL_PII_TYPES, RedactionAction } from './pii-types.js';
export type { PiiMatch } from './pii-types.js';
export { detectPii, TEXT_PII_TYPES } from './detectors.js';
export type { DetectorOptions } from './detectors.js';
export { shannonEntropy, luhnValid } from './entropy.js';
export { createRedactor, LimitType, ENCRYPTED_TEXT_PREFIX } from './redact.js';
export type { Redactor, RedactorOptions, RedactionResult, Finding } from './redact.js';
export { parsePath } from './field-policy.js';
export type { FieldPolicy, FieldRule } from './field-policy.js';
export { CryptoError, isCryptoError, SubjectErasedError, isSubjectErasedError } from './crypto-error.js';
export {
  createKeyring,
  parseKeyringFile,
  loadKeyringFile,
  keyringFromBase64,
  loadKeyring,
  saveKeyringFile,
  KEY_BYTES,
} from './keyring.js';
export type {
  Keyring,
  MasterKey,
  KeyringOptions,
  KeyringFile,
  RotateOptions,
  LoadKeyringOptions,
} from './keyring.js';
export { createEnvelopeEncryptor, isEncryptedRecord } from './envelope.js';
export type { EncryptedRecord, EnvelopeEncryptor, EncryptOptions } from './envelope.js';
export { createMemorySubjectKeyStore, createFileSubjectKeyStore } from './subject-key-store.js';
export type { SubjectKeyStore, StoredSubjectKey } from './subject-key-store.js';
export { createSubjectEncryptor, isSubjectRecord } from './subject-keys.js';
export type { SubjectEncryptor, SubjectEncryptorOptions, SubjectRecord } from './subject-keys.js';
export { anonymize } from './k-anonymity.js';
export type { QuasiIdentifier, AnonymizeOptions, AnonymizeResult } from './k-anonymity.js';
export { redactConnectionString, scrubSecrets, MASK } from './secrets.js';
