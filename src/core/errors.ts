/**
 * One error taxonomy (STYLE.md §7): a base error with a stable string `code` and a `cause`.
 * HTTP status mapping happens only at the edge (src/server/problem.ts).
 */

/** Every error code apprentice emits, in one catalogue. */
export const ErrorCode = {
  VALIDATION: 'VALIDATION_FAILED',
  CONFIG: 'CONFIG_INVALID',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTEGRITY: 'INTEGRITY_VIOLATION',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  MODEL_INVALID: 'MODEL_INVALID',
  CRYPTO: 'CRYPTO_FAILED',
  CLOSED: 'CLOSED',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One problem with one field of an input: `path` is a dotted path such as `context.files.0`. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

const brand = Symbol.for('apprentice.error');

export class ApprenticeError extends Error {
  readonly [brand] = true;
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApprenticeError';
    this.code = code;
  }
}

export const isApprenticeError = (e: unknown): e is ApprenticeError =>
  typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[brand] === true;

/** Bad input: names every offending field and the rule it broke. */
export class ValidationError extends ApprenticeError {
  readonly issues: readonly FieldIssue[];
  constructor(message: string, issues: readonly FieldIssue[] = [], options?: { cause?: unknown }) {
    super(ErrorCode.VALIDATION, message, options);
    this.name = 'ValidationError';
    this.issues = issues;
  }
}
export const isValidationError = (e: unknown): e is ValidationError =>
  isApprenticeError(e) && e.code === ErrorCode.VALIDATION;

export class ConfigError extends ApprenticeError {
  readonly issues: readonly FieldIssue[];
  constructor(message: string, issues: readonly FieldIssue[] = [], options?: { cause?: unknown }) {
    super(ErrorCode.CONFIG, message, options);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export class NotFoundError extends ApprenticeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.NOT_FOUND, message, options);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends ApprenticeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.CONFLICT, message, options);
    this.name = 'ConflictError';
  }
}

/** A dependency (PostgreSQL, Redis, a worker) could not be reached. Usually retried. */
export class UnavailableError extends ApprenticeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.UNAVAILABLE, message, options);
    this.name = 'UnavailableError';
  }
}
export const isUnavailableError = (e: unknown): e is UnavailableError =>
  isApprenticeError(e) && e.code === ErrorCode.UNAVAILABLE;

/** Stored data failed a check: an artifact hash mismatch, a corrupt spool line. */
export class IntegrityError extends ApprenticeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.INTEGRITY, message, options);
    this.name = 'IntegrityError';
  }
}

export class ClosedError extends ApprenticeError {
  constructor(what: string) {
    super(ErrorCode.CLOSED, `${what} is closed`);
    this.name = 'ClosedError';
  }
}
