import { type RolloutPolicyInput, RolloutPolicyInputSchema, ValidationError, issuePath } from '../../core/index.js';
import { ANALYSIS_DEFAULTS } from '../analysis/analyze-experiment.js';
import { DEFAULT_ROLLOUT_POLICY, type RolloutPolicy } from './rollout-policy.js';

/** A layer of policy: configuration's shape (`guardrails: {...}`) or the resolved type's own fields. */
export type RolloutPolicyLayer = RolloutPolicyInput | Partial<RolloutPolicy> | undefined;

/** The fields a layer sets, flattened to `RolloutPolicy`'s names; explicit `undefined` sets nothing. */
function fieldsOf(layer: RolloutPolicyLayer): Partial<Record<keyof RolloutPolicy, unknown>> {
  if (!layer) return {};
  const { guardrails, ope, ...rest } = layer as RolloutPolicyInput & Record<string, unknown>;
  const flat: Record<string, unknown> = {
    ...rest,
    ...(guardrails ?? {}),
    ...(ope ? { opeMargin: ope.margin, opeMinEffectiveSampleSize: ope.minEffectiveSampleSize, opeAlpha: ope.alpha } : {}),
  };
  return Object.fromEntries(Object.entries(flat).filter(([, v]) => v !== undefined));
}

/**
 * The effective policy: `layers` merged in order over `DEFAULT_ROLLOUT_POLICY` (later wins:
 * pass built-in code options, then the config's `rollout`, then the agent definition's).
 * A field set to `undefined` keeps the value below it (a plain spread would erase it). The
 * result is validated as a whole (gates must be steps of the merged policy, steps increasing and
 * ending at 100); a `ValidationError` names each bad field as `rollout.<field>`.
 *
 * @example
 * resolveRolloutPolicy(config.rollout, { gates: [50, 100], minStepDurationMs: undefined });
 */
export function resolveRolloutPolicy(...layers: readonly RolloutPolicyLayer[]): RolloutPolicy {
  let merged: Record<string, unknown> = { ...DEFAULT_ROLLOUT_POLICY };
  for (const l of layers) merged = { ...merged, ...fieldsOf(l) };
  const policy = merged as unknown as RolloutPolicy;
  const check = RolloutPolicyInputSchema.safeParse({
    steps: policy.steps,
    gates: policy.gates,
    stepRules: policy.stepRules,
    minStepDurationMs: policy.minStepDurationMs,
    minSamplePerArm: policy.minSamplePerArm,
    alpha: policy.alpha,
    mde: policy.mde,
    margin: policy.margin,
    bucketMs: policy.bucketMs,
    lossWindowMs: policy.lossWindowMs,
    changeThreshold: policy.changeThreshold,
    conceptDrift: policy.conceptDrift,
    lossAlpha: policy.lossAlpha,
  });
  if (!check.success)
    throw new ValidationError(
      `invalid rollout policy: ${check.error.issues.map((i) => `rollout.${issuePath(i.path)}: ${i.message}`).join('; ')}`,
      check.error.issues.map((i) => ({ path: `rollout.${issuePath(i.path)}`, message: i.message })),
    );
  return policy;
}

/** The policy as the API shows it: every field; `mde`/`margin` null = the analysis defaults. */
export const presentPolicy = (p: RolloutPolicy): Record<string, unknown> => ({
  steps: p.steps,
  gates: p.gates,
  stepRules: p.steps.filter((s) => s < 100).map((s, i) => ({ step: s, rule: p.stepRules[i] ?? p.stepRules.at(-1) ?? 'superiority' })),
  minShadowOutcomes: p.minShadowOutcomes,
  minSamplePerArm: p.minSamplePerArm,
  minStepDurationMs: p.minStepDurationMs,
  alpha: p.alpha ?? ANALYSIS_DEFAULTS.alpha,
  // null: the analysis default (absolute 0.05 / 0.02; for MAE 10% / 5% of the rules' own MAE).
  mde: p.mde ?? null,
  margin: p.margin ?? null,
  guardrails: { maxP95LatencyMs: p.maxP95LatencyMs, maxFallbackRate: p.maxFallbackRate },
  evaluationIntervalMs: p.evaluationIntervalMs ?? null,
  lossAlpha: p.lossAlpha,
  bucketMs: p.bucketMs,
  lossWindowMs: p.lossWindowMs,
  changeThreshold: p.changeThreshold,
  conceptDrift: p.conceptDrift,
  delayHistoryMs: p.delayHistoryMs,
  ope: { margin: p.opeMargin, minEffectiveSampleSize: p.opeMinEffectiveSampleSize, alpha: p.opeAlpha },
  minOutcomeCompleteness: p.minOutcomeCompleteness,
});
