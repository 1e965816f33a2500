import { ValidationError } from '../../core/index.js';
import type { Variant } from '../../core/index.js';
import type { FlagDefinition } from './flag-definition.js';
import type { FlagEvaluator } from './flag-evaluator.js';
import type { FlagErrorCode, FlagReason } from './flag-resolution.js';

/**
 * Per-agent rollout flags: variants `deterministic` / `ml`, split by `fractional` on the
 * targetingKey (the unitId), seeded by the flag key so agents split independently.
 *
 * Stickiness: flagd assigns bucket ranges in entry order over a fixed total of 100, so with
 * `ml` first a unit's bucket b is served `ml` iff b < p; raising p never moves a unit out of
 * `ml` (5% → 25%: every unit in `ml` stays there), and lowering it only moves units back.
 */

export const RolloutVariant = { DETERMINISTIC: 'deterministic', ML: 'ml' } as const satisfies Record<string, Variant>;

/** The flag key of an agent's rollout flag, e.g. `rollout-debugger`. */
export const rolloutFlagKey = (agent: string): string => `rollout-${agent}`;

function checkPercentage(percentage: number, path: string): void {
  if (!Number.isInteger(percentage) || percentage < 0 || percentage > 100) {
    throw new ValidationError(`percentage must be an integer from 0 to 100, got ${percentage}`, [
      { path, message: 'must be an integer from 0 to 100' },
    ]);
  }
}

const splitOf = (percentage: number): [[string, number], [string, number]] => [
  [RolloutVariant.ML, percentage],
  [RolloutVariant.DETERMINISTIC, 100 - percentage],
];

/**
 * A flagd definition serving `ml` to `percentage`% of units and `deterministic` to the rest.
 *
 * @example
 * const config = { flags: { [rolloutFlagKey('debugger')]: rolloutFlag('debugger', 5) } };
 * const evaluator = createFlagEvaluator(config);
 * routeUnit(evaluator, 'debugger', 'task-42'); // { variant: 'deterministic', propensity: 0.95, ... }
 */
export function rolloutFlag(agent: string, percentage: number): FlagDefinition {
  checkPercentage(percentage, 'percentage');
  return {
    state: 'ENABLED',
    variants: { [RolloutVariant.ML]: RolloutVariant.ML, [RolloutVariant.DETERMINISTIC]: RolloutVariant.DETERMINISTIC },
    defaultVariant: RolloutVariant.DETERMINISTIC,
    targeting: { fractional: splitOf(percentage) },
    metadata: { agent, percentage },
  };
}

const percentageCache = new WeakMap<FlagDefinition, number | undefined>();

/** The `ml` percentage of a rollout flag, or undefined when the definition is not one. */
export function rolloutPercentage(def: FlagDefinition): number | undefined {
  if (percentageCache.has(def)) return percentageCache.get(def);
  let pct: number | undefined;
  const split: unknown = def.targeting?.fractional;
  if (Array.isArray(split) && split.length === 2) {
    const [ml, det] = split as unknown[];
    if (Array.isArray(ml) && Array.isArray(det) && ml[0] === RolloutVariant.ML && det[0] === RolloutVariant.DETERMINISTIC) {
      const [, p] = ml as unknown[];
      const [, q] = det as unknown[];
      if (typeof p === 'number' && typeof q === 'number' && p + q === 100) pct = p;
    }
  }
  percentageCache.set(def, pct);
  return pct;
}

/** A copy of a rollout flag with a new `ml` percentage (sticky when it grows). */
export function setPercentage(def: FlagDefinition, percentage: number): FlagDefinition {
  checkPercentage(percentage, 'percentage');
  if (rolloutPercentage(def) === undefined) {
    throw new ValidationError('not a rollout flag: targeting must be {"fractional": [["ml", p], ["deterministic", 100 - p]]}', [
      { path: 'targeting.fractional', message: 'expected [["ml", p], ["deterministic", 100 - p]]' },
    ]);
  }
  return {
    ...def,
    targeting: { ...def.targeting, fractional: splitOf(percentage) },
    metadata: { ...def.metadata, percentage },
  };
}

/** Which arm a unit is served, and the probability of being served that arm. */
export interface UnitRoute {
  readonly variant: Variant;
  /** P(served arm): p/100 for `ml`, 1 - p/100 for `deterministic` (1 when the flag is off or broken). */
  readonly propensity: number;
  readonly reason: FlagReason;
  readonly errorCode?: FlagErrorCode;
}

/**
 * Routes one unit of an agent through its rollout flag. Never throws: a missing, disabled or
 * broken flag routes to `deterministic` with propensity 1 (the rules are always safe).
 *
 * @example
 * const { variant, propensity } = routeUnit(evaluator, 'debugger', 'task-42');
 */
export function routeUnit(evaluator: FlagEvaluator, agent: string, unitId: string): UnitRoute {
  const key = rolloutFlagKey(agent);
  const r = evaluator.resolveString(key, RolloutVariant.DETERMINISTIC, { targetingKey: unitId });
  const def = evaluator.getFlag(key);
  const pct = def === undefined ? undefined : rolloutPercentage(def);
  if (r.errorCode !== undefined || r.variant === undefined || pct === undefined) {
    return r.errorCode === undefined
      ? { variant: RolloutVariant.DETERMINISTIC, propensity: 1, reason: r.reason }
      : { variant: RolloutVariant.DETERMINISTIC, propensity: 1, reason: r.reason, errorCode: r.errorCode };
  }
  if (r.variant === RolloutVariant.ML) return { variant: RolloutVariant.ML, propensity: pct / 100, reason: r.reason };
  if (r.variant === RolloutVariant.DETERMINISTIC && (r.reason === 'SPLIT' || r.reason === 'TARGETING_MATCH')) {
    return { variant: RolloutVariant.DETERMINISTIC, propensity: 1 - pct / 100, reason: r.reason };
  }
  // The default variant without a split (e.g. no targetingKey): served with certainty.
  return { variant: RolloutVariant.DETERMINISTIC, propensity: 1, reason: r.reason };
}
