import { Issues } from './internal/validate.js';

/** Multiple-comparison corrections (statsmodels `multipletests` names in brackets). */
export const PValueAdjustment = {
  /** Family-wise error rate, step-down [`holm`]. */
  HOLM: 'holm',
  /** Family-wise error rate, single step [`bonferroni`]. */
  BONFERRONI: 'bonferroni',
  /** False discovery rate, step-up [`fdr_bh`]. */
  BENJAMINI_HOCHBERG: 'benjamini-hochberg',
} as const;
export type PValueAdjustment = (typeof PValueAdjustment)[keyof typeof PValueAdjustment];

/**
 * Adjusted p-values in the input order, equal to statsmodels
 * `multipletests(pValues, method=...)[1]`. Compare each with the family-level alpha.
 *
 * @example
 * adjustPValues([0.01, 0.04, 0.03], 'holm'); // [0.03, 0.06, 0.06]
 */
export function adjustPValues(pValues: readonly number[], method: PValueAdjustment): number[] {
  const issues = new Issues();
  pValues.forEach((p, i) => {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) issues.add(`pValues.${i}`, 'must be in [0, 1]');
  });
  if (method !== 'holm' && method !== 'bonferroni' && method !== 'benjamini-hochberg') {
    issues.add('method', "must be 'holm', 'bonferroni' or 'benjamini-hochberg'");
  }
  issues.throwIfAny('p-value adjustment input');

  const m = pValues.length;
  if (method === 'bonferroni') return pValues.map((p) => Math.min(1, p * m));

  const order = pValues.map((_, i) => i).sort((x, y) => (pValues[x] as number) - (pValues[y] as number));
  const adjusted = new Array<number>(m);
  if (method === 'holm') {
    let running = 0;
    order.forEach((index, rank) => {
      running = Math.max(running, (m - rank) * (pValues[index] as number));
      adjusted[index] = Math.min(1, running);
    });
  } else {
    let running = Infinity;
    for (let rank = m - 1; rank >= 0; rank--) {
      const index = order[rank] as number;
      running = Math.min(running, (pValues[index] as number) / ((rank + 1) / m));
      adjusted[index] = Math.min(1, running);
    }
  }
  return adjusted;
}
