import {
  ErrorCode,
  type EvaluationContext,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
} from '@openfeature/server-sdk';
import type { FlagConfiguration } from './flag-definition.js';
import { type FlagConfigurationChange, type FlagEvaluator, type FlagEvaluatorOptions, createFlagEvaluator } from './flag-evaluator.js';
import type { FlagErrorCode, FlagEvaluationContext, FlagResolution } from './flag-resolution.js';

const ERROR_CODES: Readonly<Record<FlagErrorCode, ErrorCode>> = {
  FLAG_NOT_FOUND: ErrorCode.FLAG_NOT_FOUND,
  TYPE_MISMATCH: ErrorCode.TYPE_MISMATCH,
  PARSE_ERROR: ErrorCode.PARSE_ERROR,
  TARGETING_KEY_MISSING: ErrorCode.TARGETING_KEY_MISSING,
  INVALID_CONTEXT: ErrorCode.INVALID_CONTEXT,
  PROVIDER_NOT_READY: ErrorCode.PROVIDER_NOT_READY,
  GENERAL: ErrorCode.GENERAL,
};

function toDetails<T>(r: FlagResolution<T>): ResolutionDetails<T> {
  const details: ResolutionDetails<T> = { value: r.value, reason: r.reason, flagMetadata: r.flagMetadata };
  if (r.variant !== undefined) details.variant = r.variant;
  if (r.errorCode !== undefined) details.errorCode = ERROR_CODES[r.errorCode];
  if (r.errorMessage !== undefined) details.errorMessage = r.errorMessage;
  return details;
}

// OpenFeature's context is a plain record with an optional string targetingKey: the same shape.
const asContext = (c: EvaluationContext): FlagEvaluationContext => c as FlagEvaluationContext;

/**
 * An OpenFeature server provider over apprentice's flag evaluator (flagd flag definitions).
 * Reasons and error codes follow the OpenFeature spec; `updateConfiguration` emits
 * `PROVIDER_CONFIGURATION_CHANGED` with the keys of the added, removed and changed flags.
 *
 * @example
 * const provider = new ApprenticeProvider({ flags: { [rolloutFlagKey('debugger')]: rolloutFlag('debugger', 5) } });
 * await OpenFeature.setProviderAndWait(provider);
 * const details = await OpenFeature.getClient().getStringDetails('rollout-debugger', 'deterministic', { targetingKey: 'task-42' });
 */
export class ApprenticeProvider implements Provider {
  readonly metadata = { name: 'apprentice' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  readonly hooks = [];
  readonly #evaluator: FlagEvaluator;

  constructor(config: FlagConfiguration | string = { flags: {} }, options: FlagEvaluatorOptions = {}) {
    this.#evaluator = createFlagEvaluator(config, options);
  }

  /** The evaluator behind the provider, for in-process callers that skip the SDK. */
  get evaluator(): FlagEvaluator {
    return this.#evaluator;
  }

  /**
   * Replaces the flag configuration. Throws ValidationError (and keeps the old configuration)
   * when it is invalid; otherwise emits ConfigurationChanged if any flag changed.
   */
  updateConfiguration(config: FlagConfiguration | string): FlagConfigurationChange {
    const change = this.#evaluator.setConfiguration(config);
    const flagsChanged = [...change.added, ...change.removed, ...change.changed];
    if (flagsChanged.length > 0) this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged });
    return change;
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(toDetails(this.#evaluator.resolveBoolean(flagKey, defaultValue, asContext(context))));
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext): Promise<ResolutionDetails<string>> {
    return Promise.resolve(toDetails(this.#evaluator.resolveString(flagKey, defaultValue, asContext(context))));
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext): Promise<ResolutionDetails<number>> {
    return Promise.resolve(toDetails(this.#evaluator.resolveNumber(flagKey, defaultValue, asContext(context))));
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context: EvaluationContext): Promise<ResolutionDetails<T>> {
    return Promise.resolve(toDetails(this.#evaluator.resolveObject(flagKey, defaultValue, asContext(context))));
  }
}
