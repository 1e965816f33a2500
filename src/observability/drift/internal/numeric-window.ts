import { ksSorted } from '../ks.js';
import { DEFAULT_THRESHOLDS, DriftMethod, SMALL_REFERENCE_MAX, verdict } from '../method.js';
import { psiFromProportions } from '../psi.js';
import type { NumericReference } from '../reference.js';
import { NORMED_WASSERSTEIN_MIN_STD, wassersteinSorted } from '../wasserstein.js';
import { fillZeros } from './binning.js';
import type { FeatureQuality, MonitorFeatureResult, WindowFootprint } from './window-types.js';

/**
 * Current window of a numeric feature in constant memory: a reservoir sample (Algorithm R)
 * of fixed capacity for KS / Wasserstein, counts over the reference's quantile bins (for
 * PSI), and Welford moments with min / max for feature quality.
 */
export class NumericWindow {
  private readonly reservoir: Float64Array;
  private readonly cuts: Float64Array;
  private readonly bins: Uint32Array;
  private readonly refSample: Float64Array;
  private filled = 0;
  private n = 0;
  private total = 0;
  private mean = 0;
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;
  private lastSeenAt: number | undefined;

  constructor(
    private readonly reference: NumericReference,
    capacity: number,
    private readonly random: () => number,
    private readonly threshold: number | undefined,
  ) {
    this.reservoir = new Float64Array(capacity);
    this.cuts = Float64Array.from(reference.cutPoints);
    this.bins = new Uint32Array(reference.cutPoints.length + 1);
    this.refSample = Float64Array.from(reference.sample);
  }

  observe(value: unknown, now: number): void {
    this.total++;
    // Missing: null / undefined / NaN / ±Infinity, and any non-number sent to a numeric feature.
    if (typeof value !== 'number' || value - value !== 0) return;
    this.lastSeenAt = now;
    const n = ++this.n;
    const delta = value - this.mean;
    this.mean += delta / n;
    this.m2 += delta * (value - this.mean);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const cuts = this.cuts;
    let lo = 0;
    let hi = cuts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cuts[mid]! <= value) lo = mid + 1;
      else hi = mid;
    }
    this.bins[lo]!++;
    const cap = this.reservoir.length;
    if (this.filled < cap) this.reservoir[this.filled++] = value;
    else {
      const j = Math.floor(this.random() * n);
      if (j < cap) this.reservoir[j] = value;
    }
  }

  /** Observations (missing included) in this window. */
  get count(): number {
    return this.total;
  }

  reset(): void {
    this.filled = this.n = this.total = this.mean = this.m2 = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.bins.fill(0);
  }

  evaluate(): MonitorFeatureResult | undefined {
    if (this.n === 0) return undefined;
    const cur = this.reservoir.slice(0, this.filled).sort();
    const sizes = { referenceSize: this.reference.size, currentSize: this.n };
    const props = Float64Array.from(this.bins, (c) => c / this.n);
    const psi = psiFromProportions(fillZeros(Float64Array.from(this.reference.binProportions)), fillZeros(props));
    if (this.reference.size <= SMALL_REFERENCE_MAX) {
      const method = DriftMethod.KS;
      const r = ksSorted(this.refSample, cur);
      return { ...verdict(method, this.threshold ?? DEFAULT_THRESHOLDS[method], r.statistic, r.pValue, sizes), psi };
    }
    const method = DriftMethod.WASSERSTEIN;
    const score = wassersteinSorted(this.refSample, cur) / Math.max(this.reference.std, NORMED_WASSERSTEIN_MIN_STD);
    return { ...verdict(method, this.threshold ?? DEFAULT_THRESHOLDS[method], score, undefined, sizes), psi };
  }

  quality(now: number): FeatureQuality {
    const n = this.n;
    return {
      kind: 'numeric',
      total: this.total,
      count: n,
      completeness: this.total === 0 ? 1 : n / this.total,
      freshnessSeconds: this.lastSeenAt === undefined ? null : (now - this.lastSeenAt) / 1000,
      mean: n === 0 ? null : this.mean,
      std: n === 0 ? null : Math.sqrt(this.m2 / n),
      min: n === 0 ? null : this.min,
      max: n === 0 ? null : this.max,
      topCategories: [],
    };
  }

  footprint(): WindowFootprint {
    return { sampleValues: this.filled, sampleCapacity: this.reservoir.length, bins: this.bins.length, categories: 0 };
  }
}

