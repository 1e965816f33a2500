import { regularizedGammaP, regularizedGammaQ } from '../internal/special-functions.js';

/** χ² CDF with `df` degrees of freedom: P(df/2, x/2). */
export function chiSquareCdf(x: number, df: number): number {
  return regularizedGammaP(df / 2, Math.max(0, x) / 2);
}

/** χ² survival function (upper tail) with `df` degrees of freedom: Q(df/2, x/2). */
export function chiSquareSf(x: number, df: number): number {
  return regularizedGammaQ(df / 2, Math.max(0, x) / 2);
}
