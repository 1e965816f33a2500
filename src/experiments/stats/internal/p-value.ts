import { normalCdf, normalSf } from '../distributions/normal.js';
import { studentTCdf, studentTSf } from '../distributions/student-t.js';
import { assertNever } from '../../../core/index.js';
import type { Alternative } from '../types.js';

/** p-value of a z statistic for the alternative about B − A. */
export function pValueFromZ(z: number, alternative: Alternative): number {
  switch (alternative) {
    case 'two-sided':
      return Math.min(1, 2 * normalSf(Math.abs(z)));
    case 'greater':
      return normalSf(z);
    case 'less':
      return normalCdf(z);
    default:
      return assertNever(alternative, 'alternative');
  }
}

/** p-value of a t statistic with `df` degrees of freedom. */
export function pValueFromT(t: number, df: number, alternative: Alternative): number {
  switch (alternative) {
    case 'two-sided':
      return Math.min(1, 2 * studentTSf(Math.abs(t), df));
    case 'greater':
      return studentTSf(t, df);
    case 'less':
      return studentTCdf(t, df);
    default:
      return assertNever(alternative, 'alternative');
  }
}
