import { doublyRobust, normalInterval, toOpeSamples } from '../ope/index.js';
import type { LoggedBandit, OpeEstimate, OpeInterval } from '../ope/index.js';

/** The OPE gate's settings (rollout policy: shadow → canary). */
export interface OpeGateOptions {
  /** The DR lower bound must exceed the served policy's value by this much (reward units). Default 0. */
  readonly margin?: number;
  /** Least Kish effective sample size of the candidate's importance weights. Default 100. */
  readonly minEffectiveSampleSize?: number;
  /** 1 − confidence of the two-sided DR interval (its lower end is the bound). Default 0.05. */
  readonly alpha?: number;
  /**
   * Support check: the mean importance weight is 1 in expectation when the logged policy covers
   * the candidate; it must be within max(this, 3 standard errors) of 1. Default 0.1.
   */
  readonly maxMeanWeightGap?: number;
}

export const OPE_GATE_DEFAULTS = { margin: 0, minEffectiveSampleSize: 100, alpha: 0.05, maxMeanWeightGap: 0.1 } as const;

/** One logged decision with its reward, as the decisions projection holds it. */
export interface OpeLoggedDecision {
  readonly features: Readonly<Record<string, unknown>>;
  /** The served action. */
  readonly served: string;
  /** Its probability under the policy that served it (`action_propensity`, 1 when absent). */
  readonly propensity: number;
  readonly reward: number;
}

/** What the gate needs of a candidate: its action probabilities and its predicted rewards per action. */
export interface OpeCandidate {
  /** The agent's actions, in the order of the vectors below. */
  readonly actions: readonly string[];
  /** Predicted reward of each action (the reward model q̂ of the DR estimator). */
  rewards(features: Readonly<Record<string, unknown>>): readonly number[];
  /** π(· | x). Default: all mass on the action of highest predicted reward (what a reward model serves). */
  policy?(features: Readonly<Record<string, unknown>>): readonly number[];
}

/** The gate's evidence: shown in the rollout status, the event and the metrics. */
export interface OpeGateResult {
  readonly pass: boolean;
  /** One line per check, e.g. `DR lower bound 0.712 > served 0.650 + margin 0.02`. */
  readonly reasons: readonly string[];
  /** Logged decisions with a reward and a served action the candidate knows. */
  readonly n: number;
  readonly dr: Pick<OpeEstimate, 'estimate' | 'stdErr'>;
  readonly interval: Pick<OpeInterval, 'lower' | 'upper' | 'alpha'>;
  /** Mean observed reward of the logged decisions: the served policy's value, on-policy. */
  readonly servedValue: number;
  readonly margin: number;
  readonly effectiveSampleSize: number;
  readonly minEffectiveSampleSize: number;
  readonly minPropensity: number;
  readonly maxWeight: number;
  /** Mean importance weight (1 in expectation under full support; the agreement rate when the log has none). */
  readonly meanWeight: number;
}

const argmaxOneHot = (v: readonly number[]): number[] => {
  let best = 0;
  for (let i = 1; i < v.length; i++) if ((v[i] as number) > (v[best] as number)) best = i;
  return v.map((_, i) => (i === best ? 1 : 0));
};

/**
 * The OPE gate (issue 12): a candidate leaves shadow for canary only when the lower end of the
 * (1 − α) normal interval of its doubly-robust value beats the served policy's value (the mean
 * observed reward of the same decisions) by `margin`, and only when the logged propensities
 * support it: effective sample size ≥ `minEffectiveSampleSize` and a mean importance weight
 * near 1 (the log covers the candidate's actions). The rules serve their own
 * action with propensity 1, so the support comes from exploration (docs/bandits.md).
 * Decisions whose served action the candidate does not know are left out. Pure.
 *
 * @example
 * const r = evaluateOpeGate(logged, { actions, rewards: (f) => model.actionScores(f) }, { margin: 0.02 });
 * if (!r.pass) console.log(r.reasons.join('; '));
 */
export function evaluateOpeGate(logged: readonly OpeLoggedDecision[], candidate: OpeCandidate, options: OpeGateOptions = {}): OpeGateResult {
  const margin = options.margin ?? OPE_GATE_DEFAULTS.margin;
  const minEss = options.minEffectiveSampleSize ?? OPE_GATE_DEFAULTS.minEffectiveSampleSize;
  const alpha = options.alpha ?? OPE_GATE_DEFAULTS.alpha;
  const rows: LoggedBandit[] = [];
  const target: (readonly number[])[] = [];
  const hat: (readonly number[])[] = [];
  for (const d of logged) {
    const action = candidate.actions.indexOf(d.served);
    if (action < 0 || !Number.isFinite(d.reward) || !(d.propensity > 0 && d.propensity <= 1)) continue;
    const q = candidate.rewards(d.features);
    rows.push({ action, reward: d.reward, propensity: d.propensity });
    hat.push(q);
    target.push(candidate.policy ? candidate.policy(d.features) : argmaxOneHot(q));
  }
  const n = rows.length;
  if (n < 2) {
    return {
      pass: false,
      reasons: [`OPE: ${n} logged decisions with a reward: too few to estimate`],
      n,
      dr: { estimate: NaN, stdErr: Infinity },
      interval: { lower: NaN, upper: NaN, alpha },
      servedValue: NaN,
      margin,
      effectiveSampleSize: 0,
      minEffectiveSampleSize: minEss,
      minPropensity: NaN,
      maxWeight: NaN,
      meanWeight: NaN,
    };
  }
  const dr = doublyRobust(toOpeSamples(rows, target, hat));
  const ci = normalInterval(dr, { alpha });
  const servedValue = rows.reduce((s, r) => s + r.reward, 0) / n;
  const ess = dr.diagnostics.effectiveSampleSize;
  const reasons: string[] = [];
  const enough = ess >= minEss;
  reasons.push(`OPE: effective sample size ${ess.toFixed(1)} ${enough ? '≥' : '<'} ${minEss} (of ${n} decisions)`);
  // Without exploration the rules' log covers only the rules' actions: the weights are then 1
  // where the candidate agrees and 0 elsewhere, and DR would rest on the reward model alone there.
  const w = rows.map((r, i) => ((target[i] as readonly number[])[r.action] as number) / r.propensity);
  const meanWeight = dr.diagnostics.meanWeight;
  const sdW = Math.sqrt(w.reduce((s, x) => s + (x - meanWeight) ** 2, 0) / (n - 1));
  const tolerance = Math.max(options.maxMeanWeightGap ?? OPE_GATE_DEFAULTS.maxMeanWeightGap, (3 * sdW) / Math.sqrt(n));
  const covered = Math.abs(meanWeight - 1) <= tolerance;
  reasons.push(`OPE: mean weight ${meanWeight.toFixed(3)} ${covered ? 'within' : 'outside'} 1 ± ${tolerance.toFixed(3)} (${covered ? 'the log covers the candidate' : 'the log does not cover the candidate: explore (docs/bandits.md)'})`);
  const supported = enough && covered;
  const beats = ci.lower > servedValue + margin;
  reasons.push(`OPE: DR lower bound ${ci.lower.toPrecision(4)} ${beats ? '>' : '≤'} served ${servedValue.toPrecision(4)} + margin ${margin}`);
  return {
    pass: supported && beats,
    reasons,
    n,
    dr: { estimate: dr.estimate, stdErr: dr.stdErr },
    interval: { lower: ci.lower, upper: ci.upper, alpha },
    servedValue,
    margin,
    effectiveSampleSize: ess,
    minEffectiveSampleSize: minEss,
    minPropensity: dr.diagnostics.minPropensity,
    maxWeight: dr.diagnostics.maxWeight,
    meanWeight,
  };
}
