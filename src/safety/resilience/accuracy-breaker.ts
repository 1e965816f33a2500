import { ValidationError } from '../../core/index.js';
import type { Circuit } from './circuit.js';

/**
 * One outcome of a decision the model served, scored for the served answer and for the rules'
 * answer on the same unit (label: 1 right / 0 wrong; value: −|error|). Higher is better.
 */
export interface ServedOutcome {
  readonly model: number;
  readonly rules: number;
}

/**
 * Standard normal upper tail P(Z > z), from the Chebyshev erfc approximation of Numerical
 * Recipes (`erfcc`, fractional error < 1.2e-7). Hand-written because safety sits below the
 * experiments wing and its statistics; a threshold test at α ≈ 0.01 needs no more precision.
 */
function normalSf(z: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(z) / Math.SQRT2);
  const x = Math.abs(z) / Math.SQRT2;
  const erfc =
    t *
    Math.exp(
      -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  const sf = erfc / 2;
  return z >= 0 ? sf : 1 - sf;
}

/** One progressive-validation report from the learning loop. Higher is better for every value. */
export interface QualityReport {
  /** The model's quality on the latest batch (e.g. accuracy, or 1 − normalised MAE). */
  readonly model: number;
  /** The deterministic rules' quality on the same batch. */
  readonly rules: number;
  /** The model version's registered baseline quality; overrides the configured one when given. */
  readonly baseline?: number;
}

export interface AccuracyOptions {
  /** Relative drop below the baseline that opens the breaker (0.2 = 20 % below). Default 0.2. */
  readonly maxDrop: number;
  /**
   * Relative margin the model may trail the rules by before opening (0 = any deficit).
   * Default 0.2, the same 20 % as `maxDrop`: a model within noise of the rules is not a failure
   * (the rollout's own statistics judge small differences).
   */
  readonly rulesMargin: number;
  /** Reports in the rolling window. Default 20. */
  readonly window: number;
  /** Reports needed before the rolling mean is judged. Default 5. */
  readonly minReports: number;
  /** Registered baseline quality, if known up front. Default: none (only the rules comparison applies). */
  readonly baseline: number | undefined;
  /** Served outcomes in the paired window (`reportServed`). Default 200. */
  readonly servedWindow: number;
  /** Served outcomes needed before the paired test is judged. Default 50. */
  readonly minServed: number;
  /** One-sided level of the paired test "the served model is worse than the rules". Default 0.01. */
  readonly pairedAlpha: number;
}

export const accuracyDefaults: AccuracyOptions = {
  maxDrop: 0.2,
  rulesMargin: 0.2,
  window: 20,
  minReports: 5,
  baseline: undefined,
  servedWindow: 200,
  minServed: 50,
  pairedAlpha: 0.01,
};

/** A fixed-size ring of numbers with a running sum. */
class Ring {
  private readonly xs: Float64Array;
  private i = 0;
  private n = 0;
  private sum = 0;
  constructor(size: number) {
    this.xs = new Float64Array(size);
  }
  push(x: number): void {
    if (this.n === this.xs.length) this.sum -= this.xs[this.i]!;
    else this.n++;
    this.xs[this.i] = x;
    this.sum += x;
    this.i = (this.i + 1) % this.xs.length;
  }
  get count(): number {
    return this.n;
  }
  get mean(): number {
    return this.n === 0 ? NaN : this.sum / this.n;
  }
  clear(): void {
    this.i = 0;
    this.n = 0;
    this.sum = 0;
  }
}

/** Why `(model, rules, baseline)` counts as degraded, or undefined when it does not. */
export function degradation(
  model: number,
  rules: number,
  baseline: number | undefined,
  o: Pick<AccuracyOptions, 'maxDrop' | 'rulesMargin'>,
): string | undefined {
  if (baseline !== undefined && model < baseline * (1 - o.maxDrop)) {
    return `model quality ${model.toFixed(4)} is more than ${(o.maxDrop * 100).toFixed(0)}% below baseline ${baseline.toFixed(4)}`;
  }
  if (model < rules * (1 - o.rulesMargin)) {
    return `model quality ${model.toFixed(4)} is below the rules' ${rules.toFixed(4)}`;
  }
  return undefined;
}

/**
 * The accuracy breaker: fed by the learning loop, not by calls. Closed: opens when the
 * rolling mean quality degrades (see `degradation`). Half-open: every report is a trial —
 * a good one counts towards closing, a bad one re-opens. The window is cleared on opening so
 * the verdict after recovery rests on fresh reports only.
 */
export class AccuracyBreaker {
  private readonly model: Ring;
  private readonly rules: Ring;
  private readonly servedModel: Ring;
  private readonly servedDiff: Ring;
  private readonly servedDiffSq: Ring;
  private baseline: number | undefined;
  constructor(
    private readonly circuit: Circuit,
    private readonly o: AccuracyOptions,
  ) {
    this.model = new Ring(o.window);
    this.rules = new Ring(o.window);
    const w = o.servedWindow ?? accuracyDefaults.servedWindow;
    this.servedModel = new Ring(w);
    this.servedDiff = new Ring(w);
    this.servedDiffSq = new Ring(w);
    this.baseline = o.baseline;
  }

  /**
   * Feeds one outcome of a decision the *served* model version made, scored for the model's
   * answer and the rules' answer on the same unit. Over the last `servedWindow` such outcomes
   * the breaker opens when the model is significantly worse than the rules — a one-sided paired
   * z-test of mean(model − rules) < 0 at `pairedAlpha` — or when the model's mean is more than
   * `maxDrop` below the registered baseline (the 20% floor). Like with like: the same outcomes,
   * the version actually served, not the training loop's online learner.
   */
  reportServed(o: ServedOutcome): void {
    if (!Number.isFinite(o.model) || !Number.isFinite(o.rules)) {
      throw new ValidationError('served outcome scores must be finite numbers', [{ path: 'model|rules', message: 'must be a finite number' }]);
    }
    const state = this.circuit.state;
    if (state !== 'closed' && state !== 'half_open') return;
    const d = o.model - o.rules;
    this.servedModel.push(o.model);
    this.servedDiff.push(d);
    this.servedDiffSq.push(d * d);
    const why = this.servedDegradation();
    if (state === 'half_open') {
      if (why === undefined) this.circuit.success();
      else {
        this.clearServed();
        this.circuit.failure(why);
      }
      return;
    }
    if (why !== undefined) {
      this.clearServed();
      this.circuit.trip(why);
    }
  }

  /** The paired test on the served window: why it counts as degraded, or undefined. */
  private servedDegradation(): string | undefined {
    const n = this.servedDiff.count;
    if (n < (this.o.minServed ?? accuracyDefaults.minServed)) return undefined;
    const model = this.servedModel.mean;
    if (this.baseline !== undefined && model < this.baseline * (1 - this.o.maxDrop))
      return `served model quality ${model.toFixed(3)} on ${n} outcomes is more than ${(this.o.maxDrop * 100).toFixed(0)}% below baseline ${this.baseline.toFixed(3)}`;
    const mean = this.servedDiff.mean;
    const variance = Math.max(0, (this.servedDiffSq.mean - mean * mean) * (n / (n - 1)));
    if (!(mean < 0)) return undefined;
    const z = variance > 0 ? mean / Math.sqrt(variance / n) : -Infinity;
    const p = z === -Infinity ? 0 : 1 - normalSf(z); // P(Z ≤ z): one-sided, worse
    const alpha = this.o.pairedAlpha ?? accuracyDefaults.pairedAlpha;
    if (p < alpha)
      return `served model worse than the rules on the same ${n} outcomes: ${model.toFixed(3)} vs ${(model - mean).toFixed(3)} (paired z ${z.toFixed(2)}, p ${p.toExponential(1)} < ${alpha})`;
    return undefined;
  }

  private clearServed(): void {
    this.servedModel.clear();
    this.servedDiff.clear();
    this.servedDiffSq.clear();
  }

  /** Paired window of served outcomes, for dashboards. */
  get served(): { outcomes: number; model: number; rules: number } {
    return { outcomes: this.servedDiff.count, model: this.servedModel.mean, rules: this.servedModel.mean - this.servedDiff.mean };
  }

  report(r: QualityReport): void {
    const bad = [r.model, r.rules, r.baseline ?? 0].some((x) => typeof x !== 'number' || !Number.isFinite(x));
    if (bad) {
      throw new ValidationError('quality report values must be finite numbers', [
        { path: 'model|rules|baseline', message: 'must be a finite number' },
      ]);
    }
    if (r.baseline !== undefined) this.baseline = r.baseline;
    const state = this.circuit.state;
    if (state === 'half_open') {
      const why = degradation(r.model, r.rules, this.baseline, this.o);
      if (why === undefined) {
        this.push(r);
        this.circuit.success();
      } else {
        this.clear();
        this.circuit.failure(why);
      }
      return;
    }
    if (state !== 'closed') return; // open or isolated: nothing to judge until the cooldown.
    this.push(r);
    if (this.model.count < this.o.minReports) return;
    const why = degradation(this.model.mean, this.rules.mean, this.baseline, this.o);
    if (why !== undefined) {
      this.clear();
      this.circuit.trip(`rolling ${why}`);
    }
  }

  /** Rolling means, for dashboards. */
  get rolling(): { model: number; rules: number; baseline: number | undefined; reports: number } {
    return {
      model: this.model.mean,
      rules: this.rules.mean,
      baseline: this.baseline,
      reports: this.model.count,
    };
  }

  private push(r: QualityReport): void {
    this.model.push(r.model);
    this.rules.push(r.rules);
  }
  private clear(): void {
    this.model.clear();
    this.rules.clear();
  }
}
