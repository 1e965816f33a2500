import { assertNever } from '../../core/index.js';
import { type CompiledFlag, type FlagOutcome, compileFlag } from './compiled-flag.js';
import { type FlagConfiguration, type FlagDefinition, type FlagMetadata, type JsonValue, parseFlagConfiguration } from './flag-definition.js';
import { type FlagEvaluationContext, FlagReason, type FlagResolution, type FlagValueType } from './flag-resolution.js';

export interface FlagEvaluatorOptions {
  /** Seconds since the epoch for `$flagd.timestamp`. Default: the wall clock. */
  readonly now?: () => number;
}

/** Which flag keys a configuration change touched. */
export interface FlagConfigurationChange {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

/** Evaluates flagd flag definitions. Every resolve returns data and never throws. */
export interface FlagEvaluator {
  resolveBoolean(flagKey: string, defaultValue: boolean, context?: FlagEvaluationContext): FlagResolution<boolean>;
  resolveString(flagKey: string, defaultValue: string, context?: FlagEvaluationContext): FlagResolution<string>;
  resolveNumber(flagKey: string, defaultValue: number, context?: FlagEvaluationContext): FlagResolution<number>;
  resolveObject<T extends JsonValue>(flagKey: string, defaultValue: T, context?: FlagEvaluationContext): FlagResolution<T>;
  /**
   * Replaces the configuration (validated as `parseFlagConfiguration` does; throws
   * ValidationError and keeps the old one if invalid). Only changed flags are recompiled.
   */
  setConfiguration(config: FlagConfiguration | string): FlagConfigurationChange;
  /** The current (validated) configuration. */
  readonly configuration: FlagConfiguration;
  getFlag(flagKey: string): FlagDefinition | undefined;
  readonly flagSetMetadata: FlagMetadata;
}

const EMPTY: FlagEvaluationContext = Object.freeze({});

/**
 * Compiles a flag configuration for fast evaluation: targeting rules become closures once per
 * definition change, and a successful evaluation returns a shared frozen result.
 *
 * @example
 * const evaluator = createFlagEvaluator(rolloutConfiguration);
 * const r = evaluator.resolveString('rollout-debugger', 'deterministic', { targetingKey: 'task-42' });
 * // r = { value: 'ml', variant: 'ml', reason: 'SPLIT', flagMetadata: {...} }
 */
export function createFlagEvaluator(config: FlagConfiguration | string, options: FlagEvaluatorOptions = {}): FlagEvaluator {
  let configuration: FlagConfiguration = { flags: {} };
  let flags = new Map<string, CompiledFlag>();
  let setMetadata: FlagMetadata = Object.freeze({});

  function setConfiguration(input: FlagConfiguration | string): FlagConfigurationChange {
    const next = parseFlagConfiguration(input);
    const nextMetadata: FlagMetadata = Object.freeze({ ...next.metadata });
    const compiled = new Map<string, CompiledFlag>();
    const added: string[] = [];
    const changed: string[] = [];
    for (const [key, definition] of Object.entries(next.flags)) {
      const flag = compileFlag(key, definition, { evaluators: next.$evaluators ?? {}, setMetadata: nextMetadata, now: options.now });
      const previous = flags.get(key);
      if (!previous) added.push(key);
      else if (previous.fingerprint !== flag.fingerprint) changed.push(key);
      compiled.set(key, previous && previous.fingerprint === flag.fingerprint ? previous : flag);
    }
    const removed = [...flags.keys()].filter((k) => !compiled.has(k));
    configuration = next;
    flags = compiled;
    setMetadata = nextMetadata;
    return { added, removed, changed };
  }

  function resolve<T>(type: FlagValueType, flagKey: string, defaultValue: T, context: FlagEvaluationContext): FlagResolution<T> {
    const flag = flags.get(flagKey);
    if (flag === undefined) {
      return { value: defaultValue, reason: FlagReason.ERROR, errorCode: 'FLAG_NOT_FOUND', errorMessage: `flag '${flagKey}' not found`, flagMetadata: setMetadata };
    }
    if (flag.definition.state === 'DISABLED') return { value: defaultValue, reason: FlagReason.DISABLED, flagMetadata: flag.flagMetadata };
    const outcome: FlagOutcome = flag.evaluate(context);
    switch (outcome.kind) {
      case 'variant':
        if (outcome.type !== type) {
          return {
            value: defaultValue,
            reason: FlagReason.ERROR,
            errorCode: 'TYPE_MISMATCH',
            errorMessage: `flag '${flagKey}' is ${outcome.type}, not ${type}`,
            flagMetadata: flag.flagMetadata,
          };
        }
        return outcome.resolution as FlagResolution<T>;
      case 'caller-default':
        return { value: defaultValue, reason: outcome.reason, flagMetadata: outcome.flagMetadata };
      case 'error':
        return { value: defaultValue, reason: FlagReason.ERROR, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage, flagMetadata: outcome.flagMetadata };
      default:
        return assertNever(outcome, 'flag outcome');
    }
  }

  setConfiguration(config);
  return {
    resolveBoolean: (key, dflt, ctx = EMPTY) => resolve('boolean', key, dflt, ctx),
    resolveString: (key, dflt, ctx = EMPTY) => resolve('string', key, dflt, ctx),
    resolveNumber: (key, dflt, ctx = EMPTY) => resolve('number', key, dflt, ctx),
    resolveObject: <T extends JsonValue>(key: string, dflt: T, ctx: FlagEvaluationContext = EMPTY) => resolve<T>('object', key, dflt, ctx),
    setConfiguration,
    get configuration() {
      return configuration;
    },
    getFlag: (key) => flags.get(key)?.definition,
    get flagSetMetadata() {
      return setMetadata;
    },
  };
}
