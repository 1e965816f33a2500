/**
 * Per-class Gaussian statistics of every feature at one Hoeffding-tree leaf, in one flat
 * array: for feature j and class c, `[weight, mean, m2]` at `(j * classes + c) * 3`, updated
 * with weighted Welford steps. Also the per-feature min and max seen.
 */
export class LeafGaussians {
  stats: Float64Array;
  min: Float64Array;
  max: Float64Array;

  constructor(
    readonly featureCount: number,
    public classCount: number,
  ) {
    this.stats = new Float64Array(featureCount * classCount * 3);
    this.min = new Float64Array(featureCount).fill(Infinity);
    this.max = new Float64Array(featureCount).fill(-Infinity);
  }

  ensureClasses(k: number): void {
    if (k <= this.classCount) return;
    const next = new Float64Array(this.featureCount * k * 3);
    for (let j = 0; j < this.featureCount; j++) {
      next.set(this.stats.subarray(j * this.classCount * 3, (j + 1) * this.classCount * 3), j * k * 3);
    }
    this.stats = next;
    this.classCount = k;
  }

  update(x: ArrayLike<number>, c: number, w: number): void {
    for (let j = 0; j < this.featureCount; j++) {
      const v = x[j]!;
      const o = (j * this.classCount + c) * 3;
      const n = this.stats[o]! + w;
      const delta = v - this.stats[o + 1]!;
      const mean = this.stats[o + 1]! + (w * delta) / n;
      this.stats[o] = n;
      this.stats[o + 1] = mean;
      this.stats[o + 2]! += w * delta * (v - mean);
      if (v < this.min[j]!) this.min[j] = v;
      if (v > this.max[j]!) this.max[j] = v;
    }
  }

  weight(j: number, c: number): number {
    return this.stats[(j * this.classCount + c) * 3]!;
  }

  mean(j: number, c: number): number {
    return this.stats[(j * this.classCount + c) * 3 + 1]!;
  }

  /** Population variance (ddof 0, as sklearn's GaussianNB). */
  variance(j: number, c: number): number {
    const o = (j * this.classCount + c) * 3;
    const n = this.stats[o]!;
    return n > 0 ? this.stats[o + 2]! / n : 0;
  }

  /** Variance of feature j over all classes (parallel merge of the per-class moments). */
  pooledVariance(j: number): number {
    let n = 0;
    let mean = 0;
    let m2 = 0;
    for (let c = 0; c < this.classCount; c++) {
      const o = (j * this.classCount + c) * 3;
      const nb = this.stats[o]!;
      if (nb === 0) continue;
      const d = this.stats[o + 1]! - mean;
      const total = n + nb;
      mean += (d * nb) / total;
      m2 += this.stats[o + 2]! + (d * d * n * nb) / total;
      n = total;
    }
    return n > 0 ? m2 / n : 0;
  }

  /** Estimated weight of class `c` with feature `j` ≤ `t`, from its normal approximation. */
  weightBelow(j: number, c: number, t: number): number {
    const n = this.weight(j, c);
    if (n === 0) return 0;
    const mean = this.mean(j, c);
    const sd = Math.sqrt(this.variance(j, c));
    if (sd === 0) return mean <= t ? n : 0;
    return n * normalCdf((t - mean) / sd);
  }
}

/**
 * Standard normal CDF via erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7: ample for split
 * selection, and written here because Math has no erf).
 */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

export function entropy(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total <= 0) return 0;
  let h = 0;
  for (let i = 0; i < counts.length; i++) {
    const p = counts[i]! / total;
    if (p > 0) h -= p * Math.log2(p);
  }
  return h;
}
