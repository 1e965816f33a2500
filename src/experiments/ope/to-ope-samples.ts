import type { LoggedBandit, OpeSample } from './types.js';

/**
 * Zips logged records with the target policy's probability vector per record (and, for DM and
 * the DR family, the reward model's prediction per action) into `OpeSample`s. Only checks that
 * the lengths line up; the estimators validate the values.
 *
 * @throws RangeError if `targetProbs` (or `rewardHat`, when given) has another length than `logged`.
 * @example
 * const samples = toOpeSamples(
 *   [{ action: 1, reward: 0.3, propensity: 0.25 }],
 *   [[0.1, 0.9]],
 *   [[0.5, 0.4]],
 * );
 * doublyRobust(samples).estimate; // 0.05 + 0.36 + 3.6·(0.3 − 0.4) ≈ 0.05
 */
export function toOpeSamples(
  logged: readonly LoggedBandit[],
  targetProbs: readonly (readonly number[])[],
  rewardHat?: readonly (readonly number[])[],
): OpeSample[] {
  if (targetProbs.length !== logged.length) {
    throw new RangeError(
      `toOpeSamples: targetProbs has ${targetProbs.length} rows for ${logged.length} logged records`,
    );
  }
  if (rewardHat !== undefined && rewardHat.length !== logged.length) {
    throw new RangeError(
      `toOpeSamples: rewardHat has ${rewardHat.length} rows for ${logged.length} logged records`,
    );
  }
  return logged.map((record, i) => {
    const { action, reward, propensity } = record;
    const target = targetProbs[i] as readonly number[];
    const hat = rewardHat?.[i];
    return hat === undefined
      ? { action, reward, propensity, target }
      : { action, reward, propensity, target, rewardHat: hat };
  });
}
