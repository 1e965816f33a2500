import { lnBeta } from './special-functions.js';

/**
 * P(X_B > X_A) for independent X_A ~ Beta(aA, bA), X_B ~ Beta(aB, bB) with integer aB, by the
 * exact finite sum (Evan Miller, "Formulas for Bayesian A/B Testing"; Cook 2005):
 *
 *   Σ_{i=0}^{aB−1} B(aA + i, bA + bB) / ((bB + i) · B(1 + i, bB) · B(aA, bA)).
 *
 * Terms are advanced by their exact ratio (aA+i)(bB+i) / ((aA+bA+bB+i)(1+i)) in log space and
 * re-anchored on the closed form every 256 terms so rounding cannot drift.
 */
function sumOverAlphaB(aA: number, bA: number, aB: number, bB: number): number {
  const lnBetaA = lnBeta(aA, bA);
  const exactLog = (i: number): number => lnBeta(aA + i, bA + bB) - Math.log(bB + i) - lnBeta(1 + i, bB) - lnBetaA;
  const logs = new Float64Array(aB);
  let log = exactLog(0);
  let max = -Infinity;
  for (let i = 0; i < aB; i++) {
    if (i > 0) {
      log =
        i % 256 === 0
          ? exactLog(i)
          : log + Math.log(((aA + i - 1) * (bB + i - 1)) / ((aA + bA + bB + i - 1) * i));
    }
    logs[i] = log;
    if (log > max) max = log;
  }
  let sum = 0;
  for (let i = 0; i < aB; i++) sum += Math.exp((logs[i] as number) - max);
  return Math.exp(max + Math.log(sum));
}

/**
 * P(Beta(aB, bB) > Beta(aA, bA)) for integer parameters, summing over the smallest of the four
 * (the symmetries X > Y ⇔ 1 − X < 1 − Y and P(X > Y) = 1 − P(Y > X) move the sum).
 */
export function probabilityBetaGreater(aA: number, bA: number, aB: number, bB: number): number {
  const smallest = Math.min(aA, bA, aB, bB);
  let p: number;
  if (smallest === aB) p = sumOverAlphaB(aA, bA, aB, bB);
  else if (smallest === aA) p = 1 - sumOverAlphaB(aB, bB, aA, bA);
  else if (smallest === bA) p = sumOverAlphaB(bB, aB, bA, aA);
  else p = 1 - sumOverAlphaB(bA, aA, bB, aB);
  return Math.min(1, Math.max(0, p));
}
