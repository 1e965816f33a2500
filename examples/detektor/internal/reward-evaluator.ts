/** Mean reward, cumulative and over the last `window` outcomes. */
export interface RewardScores {
  readonly count: number;
  /** `null` until the first outcome. */
  readonly meanReward: number | null;
}

export interface RewardEvaluator {
  update(reward: number): void;
  snapshot(): { readonly cumulative: RewardScores; readonly window: RewardScores };
}

/** The reward counterpart of src/evaluation's progressive evaluators (which cover labels and values). */
export function createRewardEvaluator(window: number): RewardEvaluator {
  const ring = new Float64Array(window);
  let n = 0;
  let sum = 0;
  return {
    update(reward) {
      ring[n % window] = reward;
      n++;
      sum += reward;
    },
    snapshot() {
      const w = Math.min(n, window);
      let wsum = 0;
      for (let i = 0; i < w; i++) wsum += ring[i]!;
      return {
        cumulative: { count: n, meanReward: n === 0 ? null : sum / n },
        window: { count: w, meanReward: w === 0 ? null : wsum / w },
      };
    },
  };
}
