export { ApprenticeProvider } from './apprentice-provider.js';
export {
  type FlagConfiguration,
  type FlagDefinition,
  type FlagMetadata,
  FlagState,
  type JsonValue,
  parseFlagConfiguration,
  parseFlagDefinition,
} from './flag-definition.js';
export { type FlagConfigurationChange, type FlagEvaluator, type FlagEvaluatorOptions, createFlagEvaluator } from './flag-evaluator.js';
export {
  FlagErrorCode,
  type FlagEvaluationContext,
  FlagReason,
  type FlagResolution,
  type FlagValue,
  type FlagValueType,
} from './flag-resolution.js';
export { murmur3 } from './internal/murmurhash3.js';
export { bucketOf } from './internal/json-logic/fractional.js';
export {
  RolloutVariant,
  type UnitRoute,
  rolloutFlag,
  rolloutFlagKey,
  rolloutPercentage,
  routeUnit,
  setPercentage,
} from './rollout-flag.js';
