import type { FlagDefinition, FlagMetadata, JsonValue } from './flag-definition.js';
import { type FlagErrorCode, type FlagEvaluationContext, FlagReason, type FlagResolution, type FlagValueType } from './flag-resolution.js';
import { TargetingCompileError, type Evaluate } from './internal/json-logic/compiled.js';
import { compileTargeting, expandRefs, rootOperator } from './internal/json-logic/compile.js';

/**
 * One flag definition compiled for evaluation: targeting becomes a closure, and every
 * (variant, reason) result is built once, so a successful evaluation allocates nothing.
 */

/** What evaluating a flag gave, before the caller's type and default value are applied. */
export type FlagOutcome =
  | { readonly kind: 'variant'; readonly type: FlagValueType; readonly resolution: FlagResolution<JsonValue> }
  /** No variant: the caller's default value with this reason (DEFAULT without defaultVariant, DISABLED). */
  | { readonly kind: 'caller-default'; readonly reason: FlagReason; readonly flagMetadata: FlagMetadata }
  | { readonly kind: 'error'; readonly errorCode: FlagErrorCode; readonly errorMessage: string; readonly flagMetadata: FlagMetadata };

type VariantOutcome = Extract<FlagOutcome, { kind: 'variant' }>;
type ReasonTable = Readonly<Record<'STATIC' | 'DEFAULT' | 'TARGETING_MATCH' | 'SPLIT', VariantOutcome>>;

export interface CompiledFlag {
  readonly key: string;
  readonly definition: FlagDefinition;
  /** Changes whenever anything that affects evaluation changes. */
  readonly fingerprint: string;
  readonly flagMetadata: FlagMetadata;
  /** The targeting compile error, if any (the flag then resolves with PARSE_ERROR). */
  readonly parseError: string | undefined;
  evaluate(context: FlagEvaluationContext): FlagOutcome;
}

export interface CompileFlagOptions {
  readonly evaluators: Readonly<Record<string, unknown>>;
  readonly setMetadata: FlagMetadata;
  /** Seconds since the epoch for `$flagd.timestamp`. */
  readonly now?: (() => number) | undefined;
}

export function valueTypeOf(v: JsonValue): FlagValueType {
  const t = typeof v;
  return t === 'boolean' || t === 'string' || t === 'number' ? t : 'object';
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

function variantTable(variants: Readonly<Record<string, JsonValue>>, flagMetadata: FlagMetadata): Map<string, ReasonTable> {
  const table = new Map<string, ReasonTable>();
  for (const [variant, raw] of Object.entries(variants)) {
    const value = deepFreeze(structuredClone(raw));
    const type = valueTypeOf(value);
    const make = (reason: FlagReason): VariantOutcome =>
      Object.freeze({ kind: 'variant' as const, type, resolution: Object.freeze({ value, variant, reason, flagMetadata }) });
    table.set(variant, {
      STATIC: make(FlagReason.STATIC),
      DEFAULT: make(FlagReason.DEFAULT),
      TARGETING_MATCH: make(FlagReason.TARGETING_MATCH),
      SPLIT: make(FlagReason.SPLIT),
    });
  }
  return table;
}

/** Compiles a validated definition. Never throws: a bad targeting rule becomes a PARSE_ERROR outcome. */
export function compileFlag(key: string, definition: FlagDefinition, options: CompileFlagOptions): CompiledFlag {
  const flagMetadata: FlagMetadata = Object.freeze({ ...options.setMetadata, ...definition.metadata });
  const variants = variantTable(definition.variants, flagMetadata);
  const defaultVariant = definition.defaultVariant ?? undefined;
  const defaults = defaultVariant === undefined ? undefined : variants.get(defaultVariant);
  const noVariant: FlagOutcome = Object.freeze({ kind: 'caller-default', reason: FlagReason.DEFAULT, flagMetadata });
  const hasTargeting = definition.targeting !== undefined && Object.keys(definition.targeting).length > 0;

  let rule: unknown;
  let targeting: Evaluate | undefined;
  let parseError: string | undefined;
  if (hasTargeting) {
    try {
      rule = expandRefs(definition.targeting, options.evaluators);
      targeting = compileTargeting(rule, { flagKey: key, now: options.now }).evaluate;
    } catch (e) {
      if (!(e instanceof TargetingCompileError)) throw e;
      parseError = `invalid targeting for flag '${key}': ${e.message}`;
    }
  }
  const fingerprint = JSON.stringify([definition.state, definition.variants, defaultVariant ?? null, rule ?? null, flagMetadata]);
  const base = { key, definition, fingerprint, flagMetadata, parseError };

  if (parseError !== undefined) {
    const outcome: FlagOutcome = Object.freeze({ kind: 'error', errorCode: 'PARSE_ERROR', errorMessage: parseError, flagMetadata });
    return { ...base, evaluate: () => outcome };
  }
  if (!targeting) {
    const outcome = defaults?.STATIC ?? noVariant;
    return { ...base, evaluate: () => outcome };
  }
  const matchReason = rootOperator(rule) === 'fractional' ? 'SPLIT' : 'TARGETING_MATCH';
  const run = targeting;
  return {
    ...base,
    evaluate(context) {
      let result: unknown;
      try {
        result = run(context);
      } catch (e) {
        return { kind: 'error', errorCode: 'GENERAL', errorMessage: `targeting of flag '${key}' failed: ${(e as Error).message}`, flagMetadata };
      }
      if (result === null || result === undefined) return defaults?.DEFAULT ?? noVariant;
      const name = typeof result === 'string' ? result : String(result);
      const entry = variants.get(name);
      if (entry === undefined) {
        return { kind: 'error', errorCode: 'GENERAL', errorMessage: `variant '${name}' not found in flag '${key}'`, flagMetadata };
      }
      return entry[matchReason];
    },
  };
}
