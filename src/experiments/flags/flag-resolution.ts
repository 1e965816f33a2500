import type { FlagMetadata, JsonValue } from './flag-definition.js';

/** Why a flag resolved to its value (OpenFeature's standard resolution reasons). */
export const FlagReason = {
  /** No targeting: the default variant. */
  STATIC: 'STATIC',
  /** Targeting ran and returned no variant: the default variant (or the caller's default). */
  DEFAULT: 'DEFAULT',
  /** Targeting chose the variant. */
  TARGETING_MATCH: 'TARGETING_MATCH',
  /** A `fractional` rule (the whole targeting) assigned the unit pseudo-randomly. */
  SPLIT: 'SPLIT',
  /** The flag is DISABLED: the caller's default value, no variant. */
  DISABLED: 'DISABLED',
  /** Something went wrong: the caller's default value, see `errorCode`. */
  ERROR: 'ERROR',
} as const;
export type FlagReason = (typeof FlagReason)[keyof typeof FlagReason];

/** OpenFeature's error codes. */
export const FlagErrorCode = {
  FLAG_NOT_FOUND: 'FLAG_NOT_FOUND',
  TYPE_MISMATCH: 'TYPE_MISMATCH',
  PARSE_ERROR: 'PARSE_ERROR',
  TARGETING_KEY_MISSING: 'TARGETING_KEY_MISSING',
  INVALID_CONTEXT: 'INVALID_CONTEXT',
  PROVIDER_NOT_READY: 'PROVIDER_NOT_READY',
  GENERAL: 'GENERAL',
} as const;
export type FlagErrorCode = (typeof FlagErrorCode)[keyof typeof FlagErrorCode];

/** The evaluation context: `targetingKey` is the unit (unitId) that fractional splits hash. */
export interface FlagEvaluationContext {
  readonly targetingKey?: string | undefined;
  readonly [key: string]: unknown;
}

/** The result of one flag evaluation. Evaluation never throws: failures are data. */
export interface FlagResolution<T> {
  readonly value: T;
  /** The served variant; absent when the caller's default value was used. */
  readonly variant?: string;
  readonly reason: FlagReason;
  readonly errorCode?: FlagErrorCode;
  readonly errorMessage?: string;
  readonly flagMetadata: FlagMetadata;
}

/** The value types a typed resolve checks for. */
export type FlagValueType = 'boolean' | 'string' | 'number' | 'object';

export type FlagValue = boolean | string | number | JsonValue;
