import { normalCdf, normalIsf, normalPpf, normalSf } from './distributions/normal.js';
import { assertNever } from '../../core/index.js';
import { Issues } from './internal/validate.js';
import type { Alternative } from './types.js';

/**
 * Power analysis for two independent groups with the normal approximation, equal to
 * statsmodels `NormalIndPower` (the engine of `zt_ind_solve_power`):
 *
 *   power = Φ(es·√n_eff − z_{1−α/2}) + Φ(−es·√n_eff − z_{1−α/2})   (two-sided; both tails)
 *   power = Φ(es·√n_eff − z_{1−α})                                    (greater; −es for less)
 *   n_eff = 1 / (1/nA + 1/nB),  nB = ratio · nA
 *
 * on a standardised effect size `es`:
 * - proportions: Cohen's h = 2·asin√(p + mde) − 2·asin√p (statsmodels `proportion_effectsize`);
 * - means: es = mde / standardDeviation.
 * Sample sizes and effects are solved by bisection to ~1e-12 relative (statsmodels uses brentq).
 */

/** The metric the power analysis is about. `mde` is the absolute change B − A. */
export type PowerMetric =
  | { readonly kind: 'proportion'; readonly baselineRate: number }
  | { readonly kind: 'mean'; readonly standardDeviation: number };

export interface PowerOptions {
  /** Significance level. Default `0.05`. */
  readonly alpha?: number;
  /** nB / nA. Default `1`. */
  readonly ratio?: number;
  /** Default `'two-sided'`. For `'less'` the effect (mde) must be negative, for `'greater'` positive. */
  readonly alternative?: Alternative;
}

export interface SampleSizeInput extends PowerOptions {
  readonly metric: PowerMetric;
  /** Absolute minimum detectable effect B − A (e.g. 0.02 for +2 percentage points). */
  readonly mde: number;
  /** Desired power. Default `0.8`. */
  readonly power?: number;
}

export interface SampleSizeResult {
  /** Units needed in A (unrounded, statsmodels `nobs1`). */
  readonly exactA: number;
  /** Units in A and B, rounded up. */
  readonly a: number;
  readonly b: number;
  readonly total: number;
  readonly effectSize: number;
}

export interface PowerInput extends PowerOptions {
  readonly metric: PowerMetric;
  readonly mde: number;
  /** Units in A (B has `ratio` times as many). */
  readonly sampleSizeA: number;
}

export interface MinimumDetectableEffectInput extends PowerOptions {
  readonly metric: PowerMetric;
  readonly sampleSizeA: number;
  /** Desired power. Default `0.8`. */
  readonly power?: number;
}

export interface MinimumDetectableEffectResult {
  /** Standardised effect size solved for (negative for `'less'`). */
  readonly effectSize: number;
  /** Absolute effect B − A; `null` for a proportion when no rate in [0, 1] is that far away. */
  readonly mde: number | null;
}

interface Resolved {
  readonly alpha: number;
  readonly ratio: number;
  readonly alternative: Alternative;
}

function resolve(options: PowerOptions, issues: Issues): Resolved {
  const resolved = {
    alpha: options.alpha ?? 0.05,
    ratio: options.ratio ?? 1,
    alternative: options.alternative ?? 'two-sided',
  };
  issues.openUnit('alpha', resolved.alpha).positive('ratio', resolved.ratio).alternative('alternative', resolved.alternative);
  return resolved;
}

function checkMetric(metric: PowerMetric, issues: Issues): void {
  if (metric.kind === 'proportion') issues.openUnit('metric.baselineRate', metric.baselineRate);
  else if (metric.kind === 'mean') issues.positive('metric.standardDeviation', metric.standardDeviation);
  else issues.add('metric.kind', "must be 'proportion' or 'mean'");
}

function checkEffect(metric: PowerMetric, mde: number, alternative: Alternative, issues: Issues): void {
  issues.finite('mde', mde);
  if (mde === 0) issues.add('mde', 'must not be 0');
  if (alternative === 'greater' && mde < 0) issues.add('mde', "must be > 0 for alternative 'greater'");
  if (alternative === 'less' && mde > 0) issues.add('mde', "must be < 0 for alternative 'less'");
  if (metric.kind === 'proportion' && !(metric.baselineRate + mde >= 0 && metric.baselineRate + mde <= 1)) {
    issues.add('mde', 'baselineRate + mde must be in [0, 1]');
  }
}

/** Standardised effect size of an absolute change `mde` (Cohen's h for proportions). */
export function effectSize(metric: PowerMetric, mde: number): number {
  switch (metric.kind) {
    case 'proportion':
      return 2 * Math.asin(Math.sqrt(metric.baselineRate + mde)) - 2 * Math.asin(Math.sqrt(metric.baselineRate));
    case 'mean':
      return mde / metric.standardDeviation;
    default:
      return assertNever(metric, 'metric');
  }
}

/** statsmodels `NormalIndPower().power(es, nobs1, alpha, ratio, alternative)`. */
export function normalIndependentPower(es: number, nobsA: number, options: PowerOptions = {}): number {
  const alpha = options.alpha ?? 0.05;
  const ratio = options.ratio ?? 1;
  const alternative = options.alternative ?? 'two-sided';
  const shift = es * Math.sqrt(1 / (1 / nobsA + 1 / (nobsA * ratio)));
  switch (alternative) {
    case 'two-sided': {
      const crit = normalIsf(alpha / 2);
      return normalSf(crit - shift) + normalCdf(-crit - shift);
    }
    case 'greater':
      return normalSf(normalIsf(alpha) - shift);
    case 'less':
      return normalCdf(normalPpf(alpha) - shift);
    default:
      return assertNever(alternative, 'alternative');
  }
}

/** Bisection for an increasing function f on [lo, hi]; hi is expanded until f(hi) ≥ 0. */
function solveIncreasing(f: (x: number) => number, lo: number, hi: number): number {
  let upper = hi;
  while (f(upper) < 0) {
    upper *= 2;
    if (upper > 1e300) return Infinity;
  }
  let lower = lo;
  for (let i = 0; i < 200 && upper - lower > 1e-13 * upper; i++) {
    const mid = 0.5 * (lower + upper);
    if (f(mid) < 0) lower = mid;
    else upper = mid;
  }
  return 0.5 * (lower + upper);
}

/**
 * Units per group needed to detect `mde` with the given power.
 *
 * @example
 * sampleSize({ metric: { kind: 'proportion', baselineRate: 0.1 }, mde: 0.02 }).a; // 3835
 */
export function sampleSize(input: SampleSizeInput): SampleSizeResult {
  const issues = new Issues();
  const options = resolve(input, issues);
  const targetPower = input.power ?? 0.8;
  checkMetric(input.metric, issues);
  issues.openUnit('power', targetPower);
  checkEffect(input.metric, input.mde, options.alternative, issues);
  issues.throwIfAny('sample size input');
  if (targetPower <= options.alpha) {
    new Issues().add('power', 'must exceed alpha').throwIfAny('sample size input');
  }

  const es = effectSize(input.metric, input.mde);
  const f = (n: number): number => normalIndependentPower(es, n, options) - targetPower;
  const exactA = solveIncreasing(f, 1e-9, 1);
  const a = Math.ceil(exactA);
  const b = Math.ceil(exactA * options.ratio);
  return { exactA, a, b, total: a + b, effectSize: es };
}

/**
 * Power to detect `mde` with `sampleSizeA` units in A and `ratio·sampleSizeA` in B.
 *
 * @example
 * power({ metric: { kind: 'mean', standardDeviation: 1 }, mde: 0.2, sampleSizeA: 400 }); // 0.807...
 */
export function power(input: PowerInput): number {
  const issues = new Issues();
  const options = resolve(input, issues);
  checkMetric(input.metric, issues);
  checkEffect(input.metric, input.mde, options.alternative, issues);
  issues.positive('sampleSizeA', input.sampleSizeA).throwIfAny('power input');
  return normalIndependentPower(effectSize(input.metric, input.mde), input.sampleSizeA, options);
}

/**
 * Smallest absolute effect detectable with the given power and sample size (positive, or
 * negative for `'less'`).
 *
 * @example
 * minimumDetectableEffect({ metric: { kind: 'mean', standardDeviation: 2 }, sampleSizeA: 1000 }).mde; // 0.2505...
 */
export function minimumDetectableEffect(input: MinimumDetectableEffectInput): MinimumDetectableEffectResult {
  const issues = new Issues();
  const options = resolve(input, issues);
  const targetPower = input.power ?? 0.8;
  checkMetric(input.metric, issues);
  issues.openUnit('power', targetPower).positive('sampleSizeA', input.sampleSizeA).throwIfAny('MDE input');
  if (targetPower <= options.alpha) {
    new Issues().add('power', 'must exceed alpha').throwIfAny('MDE input');
  }

  const sign = options.alternative === 'less' ? -1 : 1;
  const f = (es: number): number => normalIndependentPower(sign * es, input.sampleSizeA, options) - targetPower;
  const es = sign * solveIncreasing(f, 0, 1);
  const metric = input.metric;
  if (metric.kind === 'mean') return { effectSize: es, mde: es * metric.standardDeviation };
  const angle = Math.asin(Math.sqrt(metric.baselineRate)) + es / 2;
  if (angle < 0 || angle > Math.PI / 2) return { effectSize: es, mde: null };
  return { effectSize: es, mde: Math.sin(angle) ** 2 - metric.baselineRate };
}
