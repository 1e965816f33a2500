/** How ε decays with an agent's decisions. */
export interface EpsilonSchedule {
  /** ε at t = 0. */
  readonly epsilon: number;
  /** ε_t = ε / (1 + decay · t). 0: constant. */
  readonly decay: number;
  /** Floor: ε_t never falls below min(minEpsilon, epsilon), so every allowed action keeps some coverage. */
  readonly minEpsilon: number;
}

/**
 * ε after t decisions: max(min(minEpsilon, ε), ε / (1 + decay · t)).
 * @example decayedEpsilon(100, { epsilon: 0.2, decay: 0.01, minEpsilon: 0.02 }); // 0.1
 */
export function decayedEpsilon(t: number, s: EpsilonSchedule): number {
  return Math.max(Math.min(s.minEpsilon, s.epsilon), s.epsilon / (1 + s.decay * t));
}
