import { ValidationError } from '../../core/index.js';
import type { Circuit } from './circuit.js';

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
}

export const accuracyDefaults: AccuracyOptions = {
  maxDrop: 0.2,
  rulesMargin: 0.2,
  window: 20,
  minReports: 5,
  baseline: undefined,
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
  private baseline: number | undefined;
  constructor(
    private readonly circuit: Circuit,
    private readonly o: AccuracyOptions,
  ) {
    this.model = new Ring(o.window);
    this.rules = new Ring(o.window);
    this.baseline = o.baseline;
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
