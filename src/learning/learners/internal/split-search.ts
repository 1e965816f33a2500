import { entropy, type LeafGaussians } from './gaussian.js';

/** The best threshold split of a leaf and the merit of the runner-up feature. */
export interface SplitCandidate {
  readonly feature: number;
  readonly threshold: number;
  /** Information gain (bits) of the best split. */
  readonly gain: number;
  /** Best gain of any other feature (0 = the "no split" option). */
  readonly runnerUp: number;
  /** Estimated class weights on each side: the new leaves' priors. */
  readonly leftCounts: number[];
  readonly rightCounts: number[];
  /** Weight seen at the leaf and the number of classes present. */
  readonly weight: number;
  readonly classesPresent: number;
}

/**
 * Tries `candidates` evenly spaced thresholds between each feature's min and max, estimating
 * each side's class weights from the per-class Gaussians (VFDT's numeric attribute observer).
 * `undefined` when the leaf is pure or no split gains anything.
 */
export function findSplit(g: LeafGaussians, candidates: number): SplitCandidate | undefined {
  const k = g.classCount;
  const dist = new Float64Array(k);
  let present = 0;
  let n = 0;
  for (let c = 0; c < k; c++) {
    dist[c] = g.weight(0, c);
    n += dist[c]!;
    if (dist[c]! > 0) present++;
  }
  if (present < 2) return undefined;
  const parentH = entropy(dist);
  let gain = 0;
  let runnerUp = 0;
  let feature = -1;
  let threshold = 0;
  let bestLeft: Float64Array | undefined;
  const left = new Float64Array(k);
  const right = new Float64Array(k);
  for (let j = 0; j < g.featureCount; j++) {
    const lo = g.min[j]!;
    const hi = g.max[j]!;
    if (!(hi > lo)) continue;
    let featureGain = 0;
    let featureThreshold = 0;
    let featureLeft: Float64Array | undefined;
    for (let b = 1; b <= candidates; b++) {
      const t = lo + ((hi - lo) * b) / (candidates + 1);
      let nl = 0;
      for (let c = 0; c < k; c++) {
        left[c] = g.weightBelow(j, c, t);
        right[c] = dist[c]! - left[c]!;
        nl += left[c]!;
      }
      const splitGain = parentH - (nl / n) * entropy(left) - ((n - nl) / n) * entropy(right);
      if (splitGain > featureGain) {
        featureGain = splitGain;
        featureThreshold = t;
        featureLeft = Float64Array.from(left);
      }
    }
    if (featureLeft === undefined) continue;
    if (featureGain > gain) {
      runnerUp = gain;
      gain = featureGain;
      feature = j;
      threshold = featureThreshold;
      bestLeft = featureLeft;
    } else if (featureGain > runnerUp) {
      runnerUp = featureGain;
    }
  }
  if (bestLeft === undefined) return undefined;
  const leftCounts = Array.from(bestLeft);
  const rightCounts = leftCounts.map((l, c) => Math.max(0, dist[c]! - l));
  return { feature, threshold, gain, runnerUp, leftCounts, rightCounts, weight: n, classesPresent: present };
}
