import { confidenceSequenceHalfWidth, logMixtureLikelihoodRatio } from './sequential-test.js';
import { logOneSidedLossRatio, oneSidedLossUpperBound } from './one-sided-sequential.js';
import { Issues } from './internal/validate.js';
import type { Interval } from './types.js';

/**
 * Sequential analysis of B − A that stays valid when the effect moves.
 *
 * The input is the experiment cut into consecutive batches (time buckets) of sufficient
 * statistics per arm. Each batch end is one look of the always-valid mSPRT
 * (`sequential-test.ts`) over the current *segment*. A change of the effect is detected by
 * three independent triggers, checked at every batch once the segment has `minOutcomes` per arm:
 *
 * - `cusum`: a two-sided Gaussian CUSUM (Page 1954) of each batch's effect against the
 *   segment's estimate so far, for a shift of `shift` (default τ): S⁻ₖ = max(0, S⁻ₖ₋₁ +
 *   (−δ(dₖ − θ̂) − δ²/2)/vₖ), and the same upwards. An alarm at `cusumThreshold` (log-likelihood
 *   ratio units) dates the change at the batch after the CUSUM last left 0 — Page's
 *   maximum-likelihood estimate of the change point.
 * - `estimate-outside-interval`: the segment's running estimate leaves the running intersection
 *   of its confidence sequence. The intersection can only lock in stale evidence when the effect
 *   moved (the failure of issue 16: a −0.057 estimate beside a [0.098, 0.114] interval).
 * - `window`: the recent window's own (1 − α) interval and the segment's running interval are
 *   disjoint; the change is dated at the window's start.
 *
 * On a change the segment restarts at the change point: the confidence sequence, its running
 * p-value and the loss test start over on the outcomes after the change only, so evidence from
 * before the change can neither carry an advance nor mask a loss. Each change is reported with
 * its evidence (for the audit trail).
 *
 * Caveats, stated rather than hidden: the plug-in variance makes the mSPRT approximate for small
 * batches (hence `minOutcomes`); restarting at a data-chosen change point reuses the outcomes
 * that triggered it, so the restarted sequence is somewhat anti-conservative right after a
 * (false) alarm. The simulation tests bound the resulting false-alarm rate below α.
 */

/** Count, sum and sum of squares of one arm's scores in a batch (scores oriented higher-is-better). */
export interface ArmMoments {
  readonly n: number;
  readonly sum: number;
  readonly sumSq: number;
}

/** One batch (time bucket) of an experiment: A is the control (rules), B the treatment (model). */
export interface ArmBatch {
  /** Start of the batch (e.g. epoch ms); reported back in change points and segments. */
  readonly start: number;
  readonly a: ArmMoments;
  readonly b: ArmMoments;
}

export interface ChangeAwareOptions {
  /** Mixture scale τ of the mSPRT (about the MDE), in score units. */
  readonly tau: number;
  /** Level of the two-sided confidence sequence. Default 0.05. */
  readonly alpha?: number;
  /** Level of the one-sided loss test. Default `alpha`. */
  readonly lossAlpha?: number;
  /** Outcomes per arm in a segment before it is looked at (plug-in variance). Default 30. */
  readonly minOutcomes?: number;
  /** CUSUM shift δ to detect, in score units. Default 2τ. */
  readonly shift?: number;
  /** CUSUM alarm threshold h (log-likelihood ratio). Default 10. */
  readonly cusumThreshold?: number;
  /** Batches in the recent window. Default 6. */
  readonly windowBatches?: number;
}

export const CHANGE_DEFAULTS = { alpha: 0.05, minOutcomes: 30, cusumThreshold: 10, windowBatches: 6 } as const;

export type ChangeTrigger = 'cusum' | 'estimate-outside-interval' | 'window';

/** A detected change of the effect, with the evidence that triggered it. */
export interface ChangePoint {
  /** Start of the first batch after the change (the new segment's start). */
  readonly at: number;
  /** Start of the batch at which it was detected. */
  readonly detectedAt: number;
  readonly trigger: ChangeTrigger;
  readonly direction: 'up' | 'down';
  /** CUSUM statistic (cusum), or the distance outside the interval in score units. */
  readonly statistic: number;
  readonly threshold: number;
  /** The old segment's estimate and running interval when the change was detected. */
  readonly before: { readonly effect: number; readonly ci: Interval; readonly outcomes: readonly [number, number] };
  /** Effect estimated on the outcomes from the change point to detection. */
  readonly after: { readonly effect: number; readonly outcomes: readonly [number, number] };
}

export interface WindowEstimate {
  readonly start: number;
  readonly effect: number;
  readonly ci: Interval;
  readonly outcomes: readonly [number, number];
}

export interface ChangeAwareResult {
  /** Start of the current segment (the last change point, or the first batch). */
  readonly segmentStart: number;
  /** Outcomes per arm (A, B) in the current segment. */
  readonly outcomes: readonly [number, number];
  readonly meanA: number;
  readonly meanB: number;
  readonly varianceA: number;
  readonly varianceB: number;
  /** mean(B) − mean(A) over the segment; NaN without outcomes in both arms. */
  readonly effect: number;
  /** Running intersection of the segment's (1 − α) confidence sequence. */
  readonly ci: Interval;
  /** Running minimum of the segment's always-valid two-sided p-value. */
  readonly pValue: number;
  /** Running minimum of the one-sided loss test's p-value (H0: B ≥ A). */
  readonly lossPValue: number;
  /** Upper end of the last look's one-sided loss interval. */
  readonly lossUpper: number;
  /** `lossPValue < lossAlpha` (the segment's level, below) and a negative estimate. */
  readonly loss: boolean;
  /** The estimate lies inside the running interval: the interval may be acted on. */
  readonly consistent: boolean;
  /** Segment has `minOutcomes` per arm: the numbers above are a test, not a preview. */
  readonly testable: boolean;
  readonly window: WindowEstimate | undefined;
  readonly changes: readonly ChangePoint[];
  readonly alpha: number;
  /** The current segment's loss level: `lossAlpha / 2^changes` (spent over restarts). */
  readonly lossAlpha: number;
}

interface Acc {
  na: number;
  sa: number;
  qa: number;
  nb: number;
  sb: number;
  qb: number;
}
const zero = (): Acc => ({ na: 0, sa: 0, qa: 0, nb: 0, sb: 0, qb: 0 });
const add = (x: Acc, b: ArmBatch): void => {
  x.na += b.a.n;
  x.sa += b.a.sum;
  x.qa += b.a.sumSq;
  x.nb += b.b.n;
  x.sb += b.b.sum;
  x.qb += b.b.sumSq;
};
const sampleVar = (n: number, s: number, q: number): number => (n > 1 ? Math.max(0, (q - (s * s) / n) / (n - 1)) : 0);
function summary(x: Acc): { meanA: number; meanB: number; varA: number; varB: number; effect: number; variance: number } {
  const meanA = x.na > 0 ? x.sa / x.na : NaN;
  const meanB = x.nb > 0 ? x.sb / x.nb : NaN;
  const varA = sampleVar(x.na, x.sa, x.qa);
  const varB = sampleVar(x.nb, x.sb, x.qb);
  const variance = x.na > 0 && x.nb > 0 ? varA / x.na + varB / x.nb : Infinity;
  return { meanA, meanB, varA, varB, effect: meanB - meanA, variance };
}

const FULL: Interval = [-Infinity, Infinity];

function lookInterval(effect: number, variance: number, tau2: number, alpha: number): Interval {
  const half = confidenceSequenceHalfWidth(variance, tau2, alpha);
  return [effect - half, effect + half];
}

/**
 * Change-aware sequential analysis of an experiment's batches (see the module comment).
 *
 * @example
 * const r = changeAwareSequential(batches, { tau: 0.05 });
 * if (r.loss) rollback(); else if (r.consistent && r.ci[0] > 0) advance();
 */
export function changeAwareSequential(batches: readonly ArmBatch[], options: ChangeAwareOptions): ChangeAwareResult {
  const alpha = options.alpha ?? CHANGE_DEFAULTS.alpha;
  const lossAlpha = options.lossAlpha ?? alpha;
  const minOutcomes = Math.max(2, options.minOutcomes ?? CHANGE_DEFAULTS.minOutcomes);
  const shift = options.shift ?? 2 * options.tau;
  const h = options.cusumThreshold ?? CHANGE_DEFAULTS.cusumThreshold;
  const windowBatches = options.windowBatches ?? CHANGE_DEFAULTS.windowBatches;
  const issues = new Issues();
  issues.positive('tau', options.tau).openUnit('alpha', alpha).openUnit('lossAlpha', lossAlpha).positive('shift', shift).positive('cusumThreshold', h);
  if (!(Number.isInteger(windowBatches) && windowBatches >= 1)) issues.add('windowBatches', 'must be an integer ≥ 1');
  batches.forEach((b, i) => {
    for (const [arm, m] of [['a', b.a], ['b', b.b]] as const) {
      if (!(Number.isInteger(m.n) && m.n >= 0) || !Number.isFinite(m.sum) || !Number.isFinite(m.sumSq) || m.sumSq < 0)
        issues.add(`batches[${i}].${arm}`, 'needs an integer n ≥ 0 and finite sum and sumSq ≥ 0');
    }
    if (i > 0 && !(b.start > batches[i - 1]!.start)) issues.add(`batches[${i}].start`, 'must increase');
  });
  issues.throwIfAny('change-aware sequential input');

  const tau2 = options.tau * options.tau;
  const changes: ChangePoint[] = [];
  let s = 0; // segment start index
  let acc = zero();
  let ci: Interval = FULL;
  let pValue = 1;
  let lossLogMax = 0;
  let looked = false;
  let down = 0;
  let up = 0;
  let downStart = 0;
  let upStart = 0;

  const restart = (at: number): void => {
    s = at;
    acc = zero();
    ci = FULL;
    pValue = 1;
    lossLogMax = 0;
    looked = false;
    down = 0;
    up = 0;
    downStart = at;
    upStart = at;
  };

  let k = 0;
  while (k < batches.length) {
    const batch = batches[k]!;
    const before = summary(acc);
    const referenceReady = acc.na >= minOutcomes && acc.nb >= minOutcomes && Number.isFinite(before.variance);
    let change: Omit<ChangePoint, 'after'> | undefined;

    // CUSUM of this batch against the segment so far.
    if (referenceReady && batch.a.n > 0 && batch.b.n > 0) {
      const dk = batch.b.sum / batch.b.n - batch.a.sum / batch.a.n;
      const vk = before.varA / batch.a.n + before.varB / batch.b.n;
      if (vk > 0) {
        const dev = dk - before.effect;
        const nextDown = down + (-shift * dev - (shift * shift) / 2) / vk;
        const nextUp = up + (shift * dev - (shift * shift) / 2) / vk;
        if (down <= 0) downStart = k;
        if (up <= 0) upStart = k;
        down = Math.max(0, nextDown);
        up = Math.max(0, nextUp);
        if (down > h || up > h) {
          const isDown = down >= up;
          change = {
            at: batches[isDown ? downStart : upStart]!.start,
            detectedAt: batch.start,
            trigger: 'cusum',
            direction: isDown ? 'down' : 'up',
            statistic: isDown ? down : up,
            threshold: h,
            before: { effect: before.effect, ci, outcomes: [acc.na, acc.nb] },
          };
        }
      }
    }

    add(acc, batch);
    const now = summary(acc);
    const testable = acc.na >= minOutcomes && acc.nb >= minOutcomes && Number.isFinite(now.variance);
    if (!change && testable && looked && (now.effect < ci[0] || now.effect > ci[1])) {
      const isDown = now.effect < ci[0];
      const idx = isDown ? (down > 0 ? downStart : k) : up > 0 ? upStart : k;
      change = {
        at: batches[idx]!.start,
        detectedAt: batch.start,
        trigger: 'estimate-outside-interval',
        direction: isDown ? 'down' : 'up',
        statistic: isDown ? ci[0] - now.effect : now.effect - ci[1],
        threshold: 0,
        before: { effect: before.effect, ci, outcomes: [acc.na - batch.a.n, acc.nb - batch.b.n] },
      };
    }
    if (!change && testable && looked && k - s >= windowBatches) {
      const w = windowOf(batches, Math.max(s, k + 1 - windowBatches), k, tau2, alpha);
      if (w && (w.ci[1] < ci[0] || w.ci[0] > ci[1])) {
        const isDown = w.ci[1] < ci[0];
        change = {
          at: w.start,
          detectedAt: batch.start,
          trigger: 'window',
          direction: isDown ? 'down' : 'up',
          statistic: isDown ? ci[0] - w.ci[1] : w.ci[0] - ci[1],
          threshold: 0,
          before: { effect: before.effect, ci, outcomes: [acc.na - batch.a.n, acc.nb - batch.b.n] },
        };
      }
    }

    if (change) {
      let at = batches.findIndex((b) => b.start === change.at);
      if (at <= s) at = Math.min(k, s + 1); // always move forward
      const after = zero();
      for (let i = at; i <= k; i++) add(after, batches[i]!);
      const a = summary(after);
      changes.push({ ...change, at: batches[at]!.start, after: { effect: a.effect, outcomes: [after.na, after.nb] } });
      restart(at);
      k = at;
      continue;
    }

    if (testable) {
      const look = lookInterval(now.effect, now.variance, tau2, alpha);
      const lower = Math.max(ci[0], look[0]);
      const upper = Math.min(ci[1], look[1]);
      // Disjoint looks cannot both be right: keep the newest (the estimate check above restarts
      // the segment when the estimate itself has left the interval).
      ci = lower <= upper ? [lower, upper] : look;
      pValue = Math.min(pValue, Math.min(1, Math.exp(-logMixtureLikelihoodRatio(now.effect, now.variance, tau2, 0))));
      lossLogMax = Math.max(lossLogMax, logOneSidedLossRatio(now.effect, now.variance, tau2, 0));
      looked = true;
    }
    k += 1;
  }

  const r = summary(acc);
  // Alpha spending over segments: a restart at a data-chosen change point reuses the outcomes
  // that triggered it, so each restart halves the loss test's level (Σ ≤ lossAlpha).
  const segmentLossAlpha = lossAlpha / 2 ** changes.length;
  const testable = acc.na >= minOutcomes && acc.nb >= minOutcomes && Number.isFinite(r.variance);
  const lossPValue = Math.min(1, Math.exp(-lossLogMax));
  const last = batches.length - 1;
  const window = last >= s ? windowOf(batches, Math.max(s, last + 1 - windowBatches), last, tau2, alpha) : undefined;
  return {
    segmentStart: batches[s]?.start ?? NaN,
    outcomes: [acc.na, acc.nb],
    meanA: r.meanA,
    meanB: r.meanB,
    varianceA: r.varA,
    varianceB: r.varB,
    effect: r.effect,
    ci,
    pValue,
    lossPValue,
    lossUpper: testable ? oneSidedLossUpperBound(r.effect, r.variance, tau2, segmentLossAlpha) : Infinity,
    // A loss is reported with a negative estimate only: an earlier look's significant loss that
    // has since reversed is not shown as a loss beside a positive effect.
    loss: testable && lossPValue < segmentLossAlpha && r.effect < 0,
    consistent: testable && r.effect >= ci[0] && r.effect <= ci[1],
    testable,
    window,
    changes,
    alpha,
    lossAlpha: segmentLossAlpha,
  };
}

function windowOf(batches: readonly ArmBatch[], from: number, to: number, tau2: number, alpha: number): WindowEstimate | undefined {
  const w = zero();
  for (let i = from; i <= to; i++) add(w, batches[i]!);
  if (w.na < 2 || w.nb < 2) return undefined;
  const x = summary(w);
  return { start: batches[from]!.start, effect: x.effect, ci: lookInterval(x.effect, x.variance, tau2, alpha), outcomes: [w.na, w.nb] };
}
