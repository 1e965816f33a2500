import { assertNever } from '../../../core/index.js';
import type { Alternative, Interval } from '../types.js';

/**
 * Interval around `estimate` matching the alternative: two-sided `± critical·se` with the
 * α/2 critical value, one-sided `[estimate − critical·se, ∞)` for `greater` and
 * `(−∞, estimate + critical·se]` for `less` with the α critical value (as scipy's
 * `TtestResult.confidence_interval`). `critical(tail)` returns the upper-`tail` quantile.
 */
export function intervalFor(
  estimate: number,
  standardError: number,
  alpha: number,
  alternative: Alternative,
  critical: (tail: number) => number,
): Interval {
  switch (alternative) {
    case 'two-sided': {
      const h = critical(alpha / 2) * standardError;
      return [estimate - h, estimate + h];
    }
    case 'greater':
      return [estimate - critical(alpha) * standardError, Infinity];
    case 'less':
      return [-Infinity, estimate + critical(alpha) * standardError];
    default:
      return assertNever(alternative, 'alternative');
  }
}
