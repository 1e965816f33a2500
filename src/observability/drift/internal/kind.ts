import type { Category } from './binning.js';

/** How a feature is treated: numeric (ordered, continuous-ish) or categorical. */
export type FeatureKind = 'numeric' | 'categorical';

/** A raw feature value; `null`, `undefined`, `NaN` and ±Infinity are missing (Evidently drops ±inf too). */
export type FeatureValue = Category | null | undefined;

export const isMissing = (v: FeatureValue): v is null | undefined =>
  v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v));

/** Non-missing values of a sample. */
export function present(values: readonly FeatureValue[]): Category[] {
  const out: Category[] = [];
  for (const v of values) if (!isMissing(v)) out.push(v);
  return out;
}

/** `numeric` when every non-missing value of both samples is a finite number. */
export function inferKind(...samples: readonly (readonly Category[])[]): FeatureKind {
  for (const s of samples) for (const v of s) if (typeof v !== 'number' || !Number.isFinite(v)) return 'categorical';
  return 'numeric';
}
