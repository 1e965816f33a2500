import { chiSquareFromCounts } from '../chi-square.js';
import { jensenShannonFromProportions } from '../jensen-shannon.js';
import { DEFAULT_THRESHOLDS, DriftMethod, selectMethod, verdict } from '../method.js';
import { OTHER_CATEGORY, type CategoricalReference } from '../reference.js';
import { zTestFromCounts } from '../z-test.js';
import { assertNever } from '../../../core/index.js';
import type { Category } from './binning.js';
import type { FeatureQuality, MonitorFeatureResult, WindowFootprint } from './window-types.js';

const TOP_CATEGORIES = 5;

/**
 * Current window of a categorical feature in constant memory: one counter per reference
 * category plus an `__other__` bucket for everything else (new categories included).
 */
export class CategoricalWindow {
  private readonly index = new Map<Category, number>();
  private readonly counts: Uint32Array;
  private readonly refCounts: Float64Array;
  private n = 0;
  private total = 0;
  private lastSeenAt: number | undefined;

  constructor(
    private readonly reference: CategoricalReference,
    private readonly threshold: number | undefined,
  ) {
    reference.categories.forEach((c, i) => this.index.set(c, i));
    const k = reference.categories.length;
    this.counts = new Uint32Array(k + 1);
    this.refCounts = new Float64Array(k + 1);
    reference.counts.forEach((c, i) => (this.refCounts[i] = c));
    this.refCounts[k] = reference.otherCount;
  }

  observe(value: unknown, now: number): void {
    this.total++;
    if (value === null || value === undefined || (typeof value === 'number' && value - value !== 0)) return;
    this.lastSeenAt = now;
    this.n++;
    const i = this.index.get(value as Category);
    this.counts[i === undefined ? this.counts.length - 1 : i]!++;
  }

  get count(): number {
    return this.total;
  }

  reset(): void {
    this.n = this.total = 0;
    this.counts.fill(0);
  }

  evaluate(): MonitorFeatureResult | undefined {
    if (this.n === 0) return undefined;
    // Keep only bins seen on either side: the union of categories, as Evidently counts it.
    const ref: number[] = [];
    const cur: number[] = [];
    for (let i = 0; i < this.counts.length; i++) {
      if (this.refCounts[i]! > 0 || this.counts[i]! > 0) {
        ref.push(this.refCounts[i]!);
        cur.push(this.counts[i]!);
      }
    }
    const sizes = { referenceSize: this.reference.size, currentSize: this.n };
    const method = selectMethod({ kind: 'categorical', referenceSize: this.reference.size, uniqueCount: ref.length });
    const threshold = this.threshold ?? DEFAULT_THRESHOLDS[method];
    switch (method) {
      case DriftMethod.CHI_SQUARE: {
        const r = chiSquareFromCounts(ref, cur);
        return verdict(method, threshold, r.statistic, r.pValue, sizes);
      }
      case DriftMethod.Z_TEST: {
        if (ref.length === 1) return verdict(method, threshold, 0, 1, sizes);
        const r = zTestFromCounts(ref[0]!, this.reference.size, cur[0]!, this.n);
        return verdict(method, threshold, r.statistic, r.pValue, sizes);
      }
      case DriftMethod.JENSEN_SHANNON:
        return verdict(method, threshold, jensenShannonFromProportions(ref, cur), undefined, sizes);
      case DriftMethod.KS:
      case DriftMethod.WASSERSTEIN:
        throw new Error('numeric method selected for a categorical feature');
      default:
        return assertNever(method, 'drift method');
    }
  }

  quality(now: number): FeatureQuality {
    const cats = this.reference.categories;
    const top = Array.from(this.counts, (count, i) => ({ value: i < cats.length ? cats[i]! : OTHER_CATEGORY, count }))
      .filter((c) => c.count > 0)
      .sort((a, b) => b.count - a.count)
      .slice(0, TOP_CATEGORIES);
    return {
      kind: 'categorical',
      total: this.total,
      count: this.n,
      completeness: this.total === 0 ? 1 : this.n / this.total,
      freshnessSeconds: this.lastSeenAt === undefined ? null : (now - this.lastSeenAt) / 1000,
      mean: null,
      std: null,
      min: null,
      max: null,
      topCategories: top,
    };
  }

  footprint(): WindowFootprint {
    return { sampleValues: 0, sampleCapacity: 0, bins: this.counts.length, categories: this.index.size };
  }
}
