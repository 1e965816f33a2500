/** Importance weights and their summary, shared by the estimators. */
import type { OpeSample, WeightDiagnostics } from '../types.js';
import { sum } from './numeric.js';

/** wᵢ = π(aᵢ | xᵢ) / pᵢ, for already-validated samples. */
export function weightsOf(samples: readonly OpeSample[]): Float64Array {
  const w = new Float64Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as OpeSample;
    w[i] = (s.target[s.action] as number) / s.propensity;
  }
  return w;
}

export function summarizeWeights(samples: readonly OpeSample[], w: Float64Array): WeightDiagnostics {
  const n = samples.length;
  const sq = new Float64Array(n);
  let minPropensity = Number.POSITIVE_INFINITY;
  let maxWeight = 0;
  for (let i = 0; i < n; i++) {
    const wi = w[i] as number;
    sq[i] = wi * wi;
    if (wi > maxWeight) maxWeight = wi;
    minPropensity = Math.min(minPropensity, (samples[i] as OpeSample).propensity);
  }
  const sw = sum(w);
  const sw2 = sum(sq);
  return {
    n,
    effectiveSampleSize: sw2 === 0 ? 0 : (sw * sw) / sw2,
    minPropensity,
    maxWeight,
    meanWeight: sw / n,
  };
}

/** q̂(xᵢ, ·)·π(· | xᵢ) for each record: the direct-method term. Samples must carry `rewardHat`. */
export function directTerms(samples: readonly OpeSample[]): Float64Array {
  const dm = new Float64Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as OpeSample;
    const q = s.rewardHat as readonly number[];
    let v = 0;
    for (let a = 0; a < s.target.length; a++) v += (s.target[a] as number) * (q[a] as number);
    dm[i] = v;
  }
  return dm;
}

/** rᵢ − q̂(xᵢ, aᵢ) for each record. Samples must carry `rewardHat`. */
export function residuals(samples: readonly OpeSample[]): Float64Array {
  const res = new Float64Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as OpeSample;
    res[i] = s.reward - ((s.rewardHat as readonly number[])[s.action] as number);
  }
  return res;
}
