/**
 * Probability vectors of exploring policies. Every policy here is "the greedy action, except
 * with a known probability an exploring draw", so the probability of each action (the
 * propensity logged with the decision) is exact, not estimated.
 */

/** Boltzmann weights exp(s / T) over `indices` (others 0), normalised; uniform when scores are missing. */
export function boltzmann(k: number, indices: readonly number[], scores: readonly number[] | undefined, temperature: number): Float64Array {
  const p = new Float64Array(k);
  if (indices.length === 0) return p;
  if (scores === undefined) {
    for (const i of indices) p[i] = 1 / indices.length;
    return p;
  }
  let max = -Infinity;
  for (const i of indices) max = Math.max(max, scores[i] ?? 0);
  let sum = 0;
  for (const i of indices) sum += p[i] = Math.exp(((scores[i] ?? 0) - max) / temperature);
  for (const i of indices) p[i] = (p[i] as number) / sum;
  return p;
}

/** (1 − ε)·δ_greedy + ε·q: serve `greedy` unless an exploring draw (probability ε) picks from q. */
export function mixWithGreedy(greedy: number, q: Float64Array, epsilon: number): Float64Array {
  const p = new Float64Array(q.length);
  for (let i = 0; i < q.length; i++) p[i] = epsilon * (q[i] as number);
  p[greedy] = (p[greedy] as number) + (1 - epsilon);
  return p;
}

/** The index a uniform draw u ∈ [0, 1) selects from probabilities p (inverse CDF; the last positive entry absorbs rounding). */
export function sampleIndex(p: ArrayLike<number>, u: number): number {
  let acc = 0;
  let last = -1;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    if (pi <= 0) continue;
    last = i;
    acc += pi;
    if (u < acc) return i;
  }
  return last;
}
