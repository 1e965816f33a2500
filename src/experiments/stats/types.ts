/**
 * Shared vocabulary of `src/stats`. Arm A is always the control (the deterministic rules) and
 * arm B the treatment (the model); every difference is B − A.
 */

/** Direction of the alternative hypothesis about the difference B − A. */
export const Alternative = {
  /** B ≠ A. */
  TWO_SIDED: 'two-sided',
  /** B > A (statsmodels `larger`). */
  GREATER: 'greater',
  /** B < A (statsmodels `smaller`). */
  LESS: 'less',
} as const;
export type Alternative = (typeof Alternative)[keyof typeof Alternative];

/** A closed interval `[lower, upper]`; either end may be ±Infinity. */
export type Interval = readonly [lower: number, upper: number];

/** Successes out of trials for one arm of a proportion metric. */
export interface ProportionArm {
  readonly successes: number;
  readonly total: number;
}

/** Summary statistics of one arm of a mean metric. `variance` is the sample variance (ddof = 1). */
export interface SampleSummary {
  readonly mean: number;
  readonly variance: number;
  readonly count: number;
}
