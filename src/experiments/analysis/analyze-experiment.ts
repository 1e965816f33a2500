import { changeAwareSequential, normalIndependentPower, oneSidedLossPValue, sequentialTest, srmCheck } from '../stats/index.js';
import type { ArmBatch, ChangePoint, Interval, SequentialState, SrmCheckResult, WindowEstimate } from '../stats/index.js';

/** What the score measures: label accuracy, absolute error (score = −|error|), reward. */
export type QualityMetric = 'accuracy' | 'mae' | 'reward';

/**
 * One arm of an experiment. `mean`/`variance` are of the outcome score, oriented so that
 * higher is better (see `experiment-arms.ts`): reward as is, label correct = 1 / wrong = 0,
 * a numeric outcome as −|prediction − actual|.
 */
export interface ArmSummary {
  /** Distinct units served this arm (what the split is by: the SRM check counts these). */
  readonly units: number;
  /** Decisions served this arm. */
  readonly exposures: number;
  /** Decisions with an outcome (the sample of the score). */
  readonly outcomes: number;
  readonly mean: number;
  /** Sample variance of the score (ddof = 1); 0 with fewer than 2 outcomes. */
  readonly variance: number;
}

export interface ExperimentArms {
  readonly deterministic: ArmSummary;
  readonly ml: ArmSummary;
}

export interface AnalysisOptions {
  /** Smallest improvement of the score worth detecting (absolute). Also the mSPRT τ. Default 0.05. */
  readonly mde?: number;
  /** Non-inferiority margin: how much worse (absolute score) the model may be and still advance. Default 0.02. */
  readonly margin?: number;
  /** Significance level of the sequential test and coverage 1 − α of its interval. Default 0.05. */
  readonly alpha?: number;
  /** p-value below which the split is a sample-ratio mismatch. Default 0.001. */
  readonly srmThreshold?: number;
  /**
   * Outcomes per arm before the sequential test starts looking. The mSPRT here plugs in the
   * sample variance; from 2–3 outcomes it can be far too small, the confidence sequence far
   * too narrow, and the running intersection keeps that error for good. Default 30.
   */
  readonly minOutcomes?: number;
  /** The previous look of the same experiment (running minimum p, intersected interval); single-look analysis only. */
  readonly previous?: SequentialState;
  /** What the score is, named in verdicts. Default 'accuracy'. */
  readonly metric?: QualityMetric;
  /**
   * Margin and MDE as a share of the rules' own level of the metric (e.g. 0.05 = 5% of the
   * rules' MAE), for metrics whose scale depends on the agent (MAE). When set they replace
   * `margin` and `mde`. Default: relative for 'mae' (margin 5%, MDE 10%), absolute otherwise.
   */
  readonly relativeMargin?: number;
  readonly relativeMde?: number;
  /** Level of the one-sided loss test that rolls back. Default `alpha`. */
  readonly lossAlpha?: number;
  /** CUSUM threshold of the change detector (log-likelihood ratio). Default 10. */
  readonly changeThreshold?: number;
  /** Batches in the recent window compared with the cumulative interval. Default 6. */
  readonly windowBatches?: number;
}

export const ANALYSIS_DEFAULTS = { mde: 0.05, margin: 0.02, alpha: 0.05, srmThreshold: 0.001, minOutcomes: 30, maeRelativeMargin: 0.05, maeRelativeMde: 0.1 } as const;

export interface ExperimentAnalysis {
  readonly percentage: number;
  readonly arms: ExperimentArms;
  /** mean(ml) − mean(deterministic) of the score; NaN without outcomes in both arms. */
  readonly effect: number;
  /** effect / mean(deterministic), when that mean is not 0. */
  readonly relativeEffect: number | undefined;
  /** Always-valid (1 − α) confidence sequence on the effect. */
  readonly ci: Interval;
  /** Always-valid p-value of "no effect" (mSPRT, running minimum over looks). */
  readonly pValue: number;
  readonly alpha: number;
  readonly tau: number;
  readonly margin: number;
  /** Power of a fixed-horizon two-sided test to detect the MDE at the current sample (the mSPRT's is lower). */
  readonly power: number;
  readonly srm: SrmCheckResult;
  /** Enough outcomes (≥ 2 per arm) for a test at all. */
  readonly testable: boolean;
  /** The interval is above −margin: the model is not worse by the margin or more. */
  readonly nonInferior: boolean;
  /** The interval is above 0: the model is better. */
  readonly superior: boolean;
  /** The interval is below 0: the model is significantly worse. */
  readonly inferior: boolean;
  /** State to pass as `previous` at the next look. */
  readonly sequential: SequentialState;
  readonly metric: QualityMetric;
  /** One-sided loss test (H0: model ≥ rules), running minimum p over the current segment. */
  readonly lossPValue: number;
  readonly lossAlpha: number;
  /** Significant loss with a negative estimate: roll back. */
  readonly loss: boolean;
  /** The estimate lies inside the interval: the interval may be acted on. */
  readonly consistent: boolean;
  /** Changes of the effect detected in this step, oldest first (each restarts the sequence). */
  readonly changes: readonly ChangePoint[];
  /** Start of the evidence the interval rests on (the last change point, or the step start); ISO. */
  readonly segmentStart: string | undefined;
  /** Effect over the recent window, beside the cumulative one. */
  readonly window: WindowEstimate | undefined;
}

/** Margin and τ in score units for a metric, from the rules' level when relative. */
export function scaleOf(options: AnalysisOptions, rulesMean: number): { margin: number; tau: number } {
  const metric = options.metric ?? 'accuracy';
  const relMargin = options.relativeMargin ?? (metric === 'mae' && options.margin === undefined ? ANALYSIS_DEFAULTS.maeRelativeMargin : undefined);
  const relMde = options.relativeMde ?? (metric === 'mae' && options.mde === undefined ? ANALYSIS_DEFAULTS.maeRelativeMde : undefined);
  const level = Math.abs(rulesMean);
  // A rules' level of 0 (a perfect MAE) leaves nothing to be relative to: fall back to absolute.
  const margin = relMargin !== undefined && level > 0 ? relMargin * level : (options.margin ?? ANALYSIS_DEFAULTS.margin);
  const tau = relMde !== undefined && level > 0 ? relMde * level : (options.mde ?? ANALYSIS_DEFAULTS.mde);
  return { margin, tau };
}

/**
 * Statistics of one rollout step (rules = arm A, model = arm B, difference B − A):
 * - effect, always-valid interval and p-value from the mixture SPRT of Johari, Pekelis & Walsh
 *   (2017) in `src/experiments/stats/sequential-test.ts`, safe under continuous peeking by the controller.
 *   τ, the standard deviation of the normal mixture over effects, is set to the MDE: the
 *   mSPRT's power is best for effects near τ (Johari et al. §4), and the MDE is the effect
 *   size we care to detect. A larger τ reacts faster to large losses but needs more data to
 *   confirm small gains.
 * - non-inferiority: the confidence sequence's lower end above −margin (always valid too).
 * - power: statsmodels-style normal power for the MDE at the current sample sizes.
 * - SRM: χ² of units per arm against the intended split.
 *
 * @example
 * const a = analyzeExperiment({ percentage: 25, arms }, { mde: 0.05 });
 * if (a.inferior) rollback(); else if (a.nonInferior) advance();
 */
export function analyzeExperiment(
  input: { readonly percentage: number; readonly arms: ExperimentArms; readonly batches?: readonly ArmBatch[] },
  options: AnalysisOptions = {},
): ExperimentAnalysis {
  const { deterministic: a, ml: b } = input.arms;
  const { margin, tau: mde } = scaleOf(options, a.mean);
  const alpha = options.alpha ?? ANALYSIS_DEFAULTS.alpha;
  const lossAlpha = options.lossAlpha ?? alpha;
  const metric = options.metric ?? 'accuracy';
  const p = input.percentage;
  const srm =
    p > 0 && p < 100
      ? srmCheck([a.units, b.units], [100 - p, p], { threshold: options.srmThreshold ?? ANALYSIS_DEFAULTS.srmThreshold })
      : { chi2: 0, degreesOfFreedom: 1, pValue: 1, expected: [a.units, b.units], mismatch: false };
  const minOutcomes = Math.max(2, options.minOutcomes ?? ANALYSIS_DEFAULTS.minOutcomes);
  const testable = a.outcomes >= minOutcomes && b.outcomes >= minOutcomes;
  const base = { percentage: p, arms: input.arms, alpha, tau: mde, margin, srm, metric };
  if (input.batches) return fromBatches(input.batches, base, { ...options, lossAlpha, minOutcomes });
  const none = { lossPValue: 1, lossAlpha, loss: false, changes: [], segmentStart: undefined, window: undefined };
  if (!testable) {
    const effect = a.outcomes > 0 && b.outcomes > 0 ? b.mean - a.mean : NaN;
    const sequential = options.previous ?? { pValue: 1, ci: [-Infinity, Infinity] as const };
    return { ...base, ...none, testable, effect, relativeEffect: undefined, ci: sequential.ci, pValue: sequential.pValue, power: 0, nonInferior: false, superior: false, inferior: false, consistent: false, sequential };
  }
  const r = sequentialTest(
    { metric: 'mean', a: { mean: a.mean, variance: a.variance, count: a.outcomes }, b: { mean: b.mean, variance: b.variance, count: b.outcomes } },
    { tau: mde, alpha, ...(options.previous ? { previous: options.previous } : {}) },
  );
  const pooledSd = Math.sqrt(((a.outcomes - 1) * a.variance + (b.outcomes - 1) * b.variance) / (a.outcomes + b.outcomes - 2));
  // A (sub)normal-tiny spread is no spread: mde / 1e-162 overflows the power computation.
  const power = pooledSd > 1e-12 ? normalIndependentPower(mde / pooledSd, a.outcomes, { alpha, ratio: b.outcomes / a.outcomes }) : 1;
  const [lower, upper] = r.ci;
  const lossPValue = oneSidedLossPValue(r.difference, r.variance, mde * mde);
  const consistent = r.difference >= lower && r.difference <= upper;
  return {
    ...base,
    ...none,
    testable,
    lossPValue,
    loss: lossPValue < lossAlpha && r.difference < 0,
    consistent,
    effect: r.difference,
    relativeEffect: a.mean !== 0 ? r.difference / Math.abs(a.mean) : undefined,
    ci: r.ci,
    pValue: r.pValue,
    power,
    nonInferior: consistent && lower > -margin,
    superior: consistent && lower > 0 && r.difference > 0,
    inferior: upper < 0,
    sequential: { pValue: r.pValue, ci: r.ci },
  };
}

type Base = Pick<ExperimentAnalysis, 'percentage' | 'arms' | 'alpha' | 'tau' | 'margin' | 'srm' | 'metric'>;

/** The change-aware path: the step's batches through `changeAwareSequential`. */
function fromBatches(batches: readonly ArmBatch[], base: Base, o: AnalysisOptions & { lossAlpha: number; minOutcomes: number }): ExperimentAnalysis {
  const x = changeAwareSequential(batches, {
    tau: base.tau,
    alpha: base.alpha,
    lossAlpha: o.lossAlpha,
    minOutcomes: o.minOutcomes,
    ...(o.changeThreshold !== undefined ? { cusumThreshold: o.changeThreshold } : {}),
    ...(o.windowBatches !== undefined ? { windowBatches: o.windowBatches } : {}),
  });
  const [lower, upper] = x.ci;
  const [na, nb] = x.outcomes;
  const pooledSd = na + nb > 2 ? Math.sqrt(((na - 1) * x.varianceA + (nb - 1) * x.varianceB) / (na + nb - 2)) : 0;
  const power = x.testable ? (pooledSd > 1e-12 ? normalIndependentPower(base.tau / pooledSd, na, { alpha: base.alpha, ratio: nb / na }) : 1) : 0;
  return {
    ...base,
    testable: x.testable,
    effect: x.effect,
    relativeEffect: x.testable && x.meanA !== 0 ? x.effect / Math.abs(x.meanA) : undefined,
    ci: x.ci,
    pValue: x.pValue,
    power,
    nonInferior: x.consistent && lower > -base.margin,
    superior: x.consistent && lower > 0 && x.effect > 0,
    inferior: x.testable && upper < 0,
    sequential: { pValue: x.pValue, ci: x.ci },
    lossPValue: x.lossPValue,
    lossAlpha: x.lossAlpha,
    loss: x.loss,
    consistent: x.consistent,
    changes: x.changes,
    segmentStart: Number.isFinite(x.segmentStart) ? new Date(x.segmentStart).toISOString() : undefined,
    window: x.window,
  };
}
