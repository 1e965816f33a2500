import { ApprenticeError, ErrorCode, isApprenticeError, type FieldIssue } from '../../core/index.js';

/**
 * A model cannot be used: a corrupt or mismatched model file, a model file of an unknown
 * kind, or a model asked to predict before it has learned anything it can answer with.
 */
export class ModelInvalidError extends ApprenticeError {
  readonly issues: readonly FieldIssue[];
  constructor(message: string, issues: readonly FieldIssue[] = [], options?: { cause?: unknown }) {
    super(ErrorCode.MODEL_INVALID, message, options);
    this.name = 'ModelInvalidError';
    this.issues = issues;
  }
}

export const isModelInvalidError = (e: unknown): e is ModelInvalidError =>
  isApprenticeError(e) && e.code === ErrorCode.MODEL_INVALID;
