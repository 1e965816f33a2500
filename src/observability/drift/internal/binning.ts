/**
 * Evidently's `get_binned_data` (evidently.calculations.stattests.utils), used by PSI and
 * Jensen–Shannon:
 * - numeric feature whose reference has more than 20 unique values: bin edges from
 *   `np.histogram_bin_edges(concat(ref, cur), bins="sturges")`, proportions from
 *   `np.histogram(x, edges)[0] / len(x)`;
 * - otherwise (categorical, or numeric with ≤ 20 unique reference values): value counts over
 *   the union of non-missing values, divided by the sample sizes;
 * - for PSI (`feature_stattest=True`) zero proportions are replaced in each vector by
 *   `min(nonzero)/1e6` when that minimum is ≤ 1e-4, else by 1e-4. Jensen–Shannon uses
 *   the raw proportions.
 */
export type Category = string | number | boolean;

/** Evidently: numeric features with more than this many unique reference values are histogrammed. */
export const HISTOGRAM_MIN_UNIQUE = 20;

/** numpy `histogram_bin_edges(x, bins='sturges')` of a sorted, non-empty sample. */
export function sturgesEdges(sorted: ArrayLike<number>): Float64Array {
  let first = sorted[0]!;
  let last = sorted[sorted.length - 1]!;
  const ptp = last - first;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = ptp / (Math.log2(sorted.length) + 1);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  // np.linspace: start + i * step, with the last edge set to stop exactly.
  const edges = new Float64Array(bins + 1);
  const step = (last - first) / bins;
  for (let i = 0; i < bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

/** Index of the first element ≥ v (side='left') or > v (side='right') in a sorted array. */
export function searchSorted(sorted: ArrayLike<number>, v: number, right: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = sorted[mid]!;
    if (x < v || (right && x === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `np.histogram(x, edges)[0]` for an explicit edges array (last bin closed). */
export function histogramCounts(sorted: ArrayLike<number>, edges: ArrayLike<number>): Float64Array {
  const k = edges.length - 1;
  const out = new Float64Array(k);
  let prev = searchSorted(sorted, edges[0]!, false);
  for (let i = 0; i < k; i++) {
    const next = searchSorted(sorted, edges[i + 1]!, i === k - 1);
    out[i] = next - prev;
    prev = next;
  }
  return out;
}

export interface CategoryCounts {
  readonly keys: Category[];
  readonly reference: Float64Array;
  readonly current: Float64Array;
}

function tally(values: readonly Category[]): Map<Category, number> {
  const m = new Map<Category, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

/** Counts of each value of the union of both samples (Evidently's `value_counts` alignment). */
export function countCategories(reference: readonly Category[], current: readonly Category[]): CategoryCounts {
  const r = tally(reference);
  const c = tally(current);
  const keys = [...new Set<Category>([...r.keys(), ...c.keys()])];
  return {
    keys,
    reference: Float64Array.from(keys, (k) => r.get(k) ?? 0),
    current: Float64Array.from(keys, (k) => c.get(k) ?? 0),
  };
}

/** Evidently's zero-replacement for PSI: min(nonzero)/1e6 if that is ≤ 1e-4, else 1e-4. */
export function fillZeros(p: Float64Array): Float64Array {
  let min = Infinity;
  for (const v of p) if (v !== 0 && v < min) min = v;
  if (min === Infinity) return p;
  const eps = min <= 0.0001 ? min / 1e6 : 0.0001;
  return p.map((v) => (v === 0 ? eps : v));
}

export interface BinnedProportions {
  readonly reference: Float64Array;
  readonly current: Float64Array;
}

/** Evidently's `get_binned_data` for a numeric pair (finite values only). */
export function binNumeric(reference: ArrayLike<number>, current: ArrayLike<number>, fill: boolean): BinnedProportions {
  const ref = Float64Array.from(reference).sort();
  const cur = Float64Array.from(current).sort();
  let unique = 0;
  for (let i = 0; i < ref.length; i++) if (i === 0 || ref[i] !== ref[i - 1]) unique++;
  let r: Float64Array;
  let c: Float64Array;
  if (unique > HISTOGRAM_MIN_UNIQUE) {
    const all = new Float64Array(ref.length + cur.length);
    all.set(ref);
    all.set(cur, ref.length);
    all.sort();
    const edges = sturgesEdges(all);
    r = histogramCounts(ref, edges).map((v) => v / ref.length);
    c = histogramCounts(cur, edges).map((v) => v / cur.length);
  } else {
    const counts = countCategories(Array.from(ref), Array.from(cur));
    r = counts.reference.map((v) => v / ref.length);
    c = counts.current.map((v) => v / cur.length);
  }
  return fill ? { reference: fillZeros(r), current: fillZeros(c) } : { reference: r, current: c };
}

/** Evidently's `get_binned_data` for a categorical pair. */
export function binCategorical(reference: readonly Category[], current: readonly Category[], fill: boolean): BinnedProportions {
  const counts = countCategories(reference, current);
  const r = counts.reference.map((v) => v / reference.length);
  const c = counts.current.map((v) => v / current.length);
  return fill ? { reference: fillZeros(r), current: fillZeros(c) } : { reference: r, current: c };
}
