import { ValidationError } from '../../core/index.js';
import { binCategorical, binNumeric } from './internal/binning.js';
import { inferKind, present, type FeatureKind, type FeatureValue } from './internal/kind.js';

export interface BinnedOptions {
  /** Force the feature kind; default: numeric when every value is a finite number. */
  readonly kind?: FeatureKind;
}

/** Σ (r − c) · ln(r / c) over matching bins (proportions must be > 0). */
export function psiFromProportions(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const c = current[i]!;
    s += (r - c) * Math.log(r / c);
  }
  return s;
}

/**
 * Population stability index with Evidently's binning (`get_binned_data`, see
 * internal/binning.ts): Sturges bins over both samples for numeric features with more than
 * 20 unique reference values, value counts otherwise; zero proportions replaced by a small
 * epsilon (min(nonzero)/1e6 if that is ≤ 1e-4, else 1e-4). Missing values are dropped.
 * Evidently's drift threshold for PSI is 0.1.
 *
 * @example
 * psi([1, 2, 3, 4, 5], [3, 4, 5, 6, 7]);
 */
export function psi(reference: readonly FeatureValue[], current: readonly FeatureValue[], options: BinnedOptions = {}): number {
  const { ref, cur, kind } = prepare(reference, current, options);
  const b = kind === 'numeric' ? binNumeric(ref as number[], cur as number[], true) : binCategorical(ref, cur, true);
  return psiFromProportions(b.reference, b.current);
}

export function prepare(reference: readonly FeatureValue[], current: readonly FeatureValue[], options: BinnedOptions) {
  const ref = present(reference);
  const cur = present(current);
  if (ref.length === 0 || cur.length === 0) {
    throw new ValidationError('drift measures need two non-empty samples', [
      { path: ref.length === 0 ? 'reference' : 'current', message: 'has no non-missing value' },
    ]);
  }
  const kind = options.kind ?? inferKind(ref, cur);
  if (kind === 'numeric' && inferKind(ref, cur) !== 'numeric') {
    throw new ValidationError('numeric feature has non-numeric values', [{ path: 'kind', message: 'numeric needs finite numbers' }]);
  }
  return { ref, cur, kind };
}
