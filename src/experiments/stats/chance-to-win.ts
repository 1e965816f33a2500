import { normalCdf, normalPdf } from './distributions/normal.js';
import { assertNever } from '../../core/index.js';
import { checkArms, type TwoArms } from './internal/arms.js';
import { probabilityBetaGreater } from './internal/beta-comparison.js';
import { Issues } from './internal/validate.js';

export interface ChanceToWinOptions {
  /** Beta(alpha, beta) prior of each rate, proportions only. Both must be positive integers
   * (the exact sum needs integer posterior parameters). Default `{ alpha: 1, beta: 1 }` (uniform). */
  readonly prior?: { readonly alpha: number; readonly beta: number };
}

export interface ChanceToWinResult {
  /** Posterior P(B > A). */
  readonly chanceToWin: number;
  /** E[max(A − B, 0)]: what is lost on average by shipping B if A is really better. */
  readonly expectedLossB: number;
  /** E[max(B − A, 0)]: what is lost on average by keeping A if B is really better. */
  readonly expectedLossA: number;
}

/**
 * Bayesian probability that B beats A, with expected losses (GrowthBook's "chance to win" and
 * "risk").
 * - proportions: independent Beta posteriors Beta(prior.alpha + successes, prior.beta +
 *   failures); P(B > A) and the losses are exact finite sums (no sampling, no quadrature).
 * - means: flat prior and the normal approximation B − A ~ N(meanB − meanA, vA/nA + vB/nB),
 *   as GrowthBook does for absolute effects: P = Φ(d/s), loss_B = s·φ(d/s) − d·Φ(−d/s).
 *
 * @example
 * chanceToWin({ metric: 'proportion', a: { successes: 100, total: 1000 }, b: { successes: 120, total: 1000 } })
 *   .chanceToWin; // 0.923...
 */
export function chanceToWin(arms: TwoArms, options: ChanceToWinOptions = {}): ChanceToWinResult {
  const prior = options.prior ?? { alpha: 1, beta: 1 };
  const issues = new Issues();
  checkArms(arms, issues, 1);
  if (!Number.isSafeInteger(prior.alpha) || prior.alpha < 1) issues.add('prior.alpha', 'must be an integer ≥ 1');
  if (!Number.isSafeInteger(prior.beta) || prior.beta < 1) issues.add('prior.beta', 'must be an integer ≥ 1');
  issues.throwIfAny('chance-to-win input');

  switch (arms.metric) {
    case 'proportion': {
      const aA = prior.alpha + arms.a.successes;
      const bA = prior.beta + arms.a.total - arms.a.successes;
      const aB = prior.alpha + arms.b.successes;
      const bB = prior.beta + arms.b.total - arms.b.successes;
      const meanA = aA / (aA + bA);
      const meanB = aB / (aB + bB);
      // E[X·1{X > Y}] = E[X]·P(X⁺ > Y) with X⁺ ~ Beta(a + 1, b).
      const expectedLossB = Math.max(
        0,
        meanA * probabilityBetaGreater(aB, bB, aA + 1, bA) - meanB * probabilityBetaGreater(aB + 1, bB, aA, bA),
      );
      const expectedLossA = Math.max(
        0,
        meanB * probabilityBetaGreater(aA, bA, aB + 1, bB) - meanA * probabilityBetaGreater(aA + 1, bA, aB, bB),
      );
      return { chanceToWin: probabilityBetaGreater(aA, bA, aB, bB), expectedLossA, expectedLossB };
    }
    case 'mean': {
      const d = arms.b.mean - arms.a.mean;
      const s = Math.sqrt(arms.a.variance / arms.a.count + arms.b.variance / arms.b.count);
      if (!(s > 0)) {
        return { chanceToWin: d > 0 ? 1 : d < 0 ? 0 : 0.5, expectedLossA: Math.max(d, 0), expectedLossB: Math.max(-d, 0) };
      }
      const z = d / s;
      return {
        chanceToWin: normalCdf(z),
        expectedLossB: s * normalPdf(z) - d * normalCdf(-z),
        expectedLossA: s * normalPdf(z) + d * normalCdf(z),
      };
    }
    default:
      return assertNever(arms, 'arms');
  }
}
