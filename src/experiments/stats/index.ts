/**
 * `stats` — pure statistics for A/B experiments and rollouts. Arm A is the control (rules),
 * arm B the treatment (model); every difference is B − A. Checked against scipy/statsmodels
 * reference tables in `testing/reference.json` (scripts/reference/stats_reference.py).
 */
export { Alternative } from './types.js';
export type { Interval, ProportionArm, SampleSummary } from './types.js';
export type { TwoArms } from './internal/arms.js';

export { normalCdf, normalIsf, normalPdf, normalPpf, normalSf } from './distributions/normal.js';
export { studentTCdf, studentTPdf, studentTPpf, studentTSf } from './distributions/student-t.js';
export { chiSquareCdf, chiSquareSf } from './distributions/chi-square.js';
export {
  lnBeta,
  lnGamma,
  regularizedBeta,
  regularizedBetaComplement,
  regularizedGammaP,
  regularizedGammaQ,
} from './internal/special-functions.js';

export { twoProportionZTest } from './two-proportion-z-test.js';
export type { TwoProportionInput, TwoProportionZTestOptions, TwoProportionZTestResult } from './two-proportion-z-test.js';
export { welchTTest } from './welch-t-test.js';
export type { WelchTTestOptions, WelchTTestResult } from './welch-t-test.js';
export { srmCheck } from './srm-check.js';
export type { SrmCheckOptions, SrmCheckResult } from './srm-check.js';
export { effectSize, minimumDetectableEffect, normalIndependentPower, power, sampleSize } from './power.js';
export type {
  MinimumDetectableEffectInput,
  MinimumDetectableEffectResult,
  PowerInput,
  PowerMetric,
  PowerOptions,
  SampleSizeInput,
  SampleSizeResult,
} from './power.js';
export { sequentialTest } from './sequential-test.js';
export type { SequentialState, SequentialTestOptions, SequentialTestResult } from './sequential-test.js';
export { createSequentialTracker } from './sequential-tracker.js';
export type { SequentialTracker, SequentialTrackerOptions } from './sequential-tracker.js';
export { chanceToWin } from './chance-to-win.js';
export type { ChanceToWinOptions, ChanceToWinResult } from './chance-to-win.js';
export { adjustPValues, PValueAdjustment } from './adjust-p-values.js';
export { nonInferiorityTest } from './non-inferiority-test.js';
export type { NonInferiorityOptions, NonInferiorityResult } from './non-inferiority-test.js';
export { logOneSidedLossRatio, oneSidedLossPValue, oneSidedLossUpperBound } from './one-sided-sequential.js';
export { CHANGE_DEFAULTS, changeAwareSequential } from './change-aware-sequential.js';
export type { ArmBatch, ArmMoments, ChangeAwareOptions, ChangeAwareResult, ChangePoint, ChangeTrigger, WindowEstimate } from './change-aware-sequential.js';
