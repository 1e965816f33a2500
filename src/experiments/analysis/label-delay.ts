/**
 * Label-delay-aware step analysis (issue 12): outcomes arrive late, and how late can depend on
 * what was served (a canary soaks for hours, a failure is reported at once). A step judged
 * before its late outcomes are in is biased towards whichever arm's outcomes come fastest. This
 * module estimates an agent's outcome-delay distribution from its own log, per served action,
 * and tells the controller how complete each arm's outcomes are expected to be. Pure.
 */

/** One logged decision for delay estimation: when it was made and when its outcome arrived. */
export interface DelayRecord {
  /** The served action (delays are estimated per action, pooled as a fallback). */
  readonly action: string;
  /** Milliseconds (or any time unit, used consistently). */
  readonly decidedAt: number;
  /** Absent while no outcome has arrived (censored at `now`). */
  readonly outcomeAt?: number | undefined;
  /** How many decisions this record stands for (aggregated reads). Default 1. */
  readonly weight?: number | undefined;
}

/** A step's decision: its arm, plus what `DelayRecord` has. */
export interface StepRecord extends DelayRecord {
  readonly arm: string;
}

/** Kaplan–Meier curve of "time to outcome": event times and the survival just after each. */
interface Curve {
  readonly times: Float64Array;
  readonly survival: Float64Array;
}

/** Per-action outcome-delay distributions, conditional on an outcome arriving at all. */
export interface DelayModel {
  /** Share of the eventual outcomes of `action` that have arrived `age` after the decision (0–1). */
  cdf(action: string, age: number): number;
  /** Actions with their own curve (others use the pooled one). */
  readonly actions: readonly string[];
}

/**
 * Kaplan–Meier (product-limit) estimate of the time to outcome; decisions without an outcome are
 * censored at their age. Outcomes that never arrive leave the curve on a plateau, so the CDF is
 * normalised by the plateau: F(t) = (1 − S(t)) / (1 − S(∞)).
 */
function kaplanMeier(records: readonly DelayRecord[], now: number): Curve {
  const obs = records.map((r) => ({
    t: Math.max(0, (r.outcomeAt ?? now) - r.decidedAt),
    event: r.outcomeAt !== undefined,
    w: r.weight ?? 1,
  }));
  obs.sort((a, b) => a.t - b.t || Number(b.event) - Number(a.event));
  const times: number[] = [];
  const survival: number[] = [];
  let atRisk = obs.reduce((s, o) => s + o.w, 0);
  let s = 1;
  for (let i = 0; i < obs.length; ) {
    const t = obs[i]!.t;
    let events = 0;
    let leaving = 0;
    while (i < obs.length && obs[i]!.t === t) {
      if (obs[i]!.event) events += obs[i]!.w;
      leaving += obs[i]!.w;
      i++;
    }
    if (events > 0) {
      s *= 1 - events / atRisk;
      times.push(t);
      survival.push(s);
    }
    atRisk -= leaving;
  }
  return { times: Float64Array.from(times), survival: Float64Array.from(survival) };
}

function cdfOf(c: Curve, age: number): number {
  const n = c.times.length;
  if (n === 0) return 1;
  const plateau = 1 - (c.survival[n - 1] as number);
  if (plateau <= 0) return 1;
  // Last event time ≤ age (binary search).
  let lo = 0;
  let hi = n - 1;
  if (age < (c.times[0] as number)) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((c.times[mid] as number) <= age) lo = mid;
    else hi = mid - 1;
  }
  return Math.min(1, (1 - (c.survival[lo] as number)) / plateau);
}

/**
 * Estimate the outcome-delay distribution of an agent from its own log, per served action
 * (actions with fewer than `minPerAction` outcomes use the pooled curve).
 * @example
 * const model = estimateDelays(history, Date.now());
 * model.cdf('canary', 3_600_000); // share of canary outcomes in within an hour
 */
export function estimateDelays(log: readonly DelayRecord[], now: number, minPerAction = 30): DelayModel {
  const pooled = kaplanMeier(log, now);
  const byAction = new Map<string, DelayRecord[]>();
  for (const r of log) {
    let l = byAction.get(r.action);
    if (l === undefined) byAction.set(r.action, (l = []));
    l.push(r);
  }
  const curves = new Map<string, Curve>();
  for (const [a, rs] of byAction) if (rs.reduce((n, r) => n + (r.outcomeAt !== undefined ? (r.weight ?? 1) : 0), 0) >= minPerAction) curves.set(a, kaplanMeier(rs, now));
  return { cdf: (action, age) => cdfOf(curves.get(action) ?? pooled, age), actions: [...curves.keys()].sort() };
}

export interface ArmCompleteness {
  readonly arm: string;
  readonly decisions: number;
  readonly observed: number;
  /** Expected share of this arm's eventual outcomes that are in by now: mean of F_action(age). */
  readonly fraction: number;
}

export interface DelayCheck {
  /** All arms have at least `requiredFraction` of their expected outcomes in. */
  readonly ready: boolean;
  readonly arms: readonly ArmCompleteness[];
  /** The least complete arm's share. */
  readonly fraction: number;
  readonly requiredFraction: number;
  /** For the verdict: `waiting: 62% of expected outcomes (arm ml)`, or `outcomes in: 93% expected`. */
  readonly reason: string;
}

/**
 * Whether a step may be judged now: each arm's decisions are aged and weighed by the delay
 * distribution of their served action; the step waits until every arm has `requiredFraction`
 * (default 0.9) of its expected outcomes in.
 * @example
 * const c = checkOutcomeDelay(stepRecords, estimateDelays(history, now), now);
 * if (!c.ready) return hold(c.reason); // "waiting: 62% of expected outcomes (arm ml)"
 */
export function checkOutcomeDelay(step: readonly StepRecord[], model: DelayModel, now: number, requiredFraction = 0.9): DelayCheck {
  const arms = new Map<string, { decisions: number; observed: number; expected: number }>();
  for (const r of step) {
    let a = arms.get(r.arm);
    if (a === undefined) arms.set(r.arm, (a = { decisions: 0, observed: 0, expected: 0 }));
    const w = r.weight ?? 1;
    a.decisions += w;
    if (r.outcomeAt !== undefined && r.outcomeAt <= now) a.observed += w;
    a.expected += w * model.cdf(r.action, now - r.decidedAt);
  }
  const list: ArmCompleteness[] = [...arms].map(([arm, a]) => ({ arm, decisions: a.decisions, observed: a.observed, fraction: a.decisions === 0 ? 1 : a.expected / a.decisions }));
  list.sort((x, y) => x.arm.localeCompare(y.arm));
  const least = list.reduce<ArmCompleteness | undefined>((m, a) => (m === undefined || a.fraction < m.fraction ? a : m), undefined);
  const fraction = least?.fraction ?? 1;
  const ready = fraction >= requiredFraction;
  const pct = Math.floor(fraction * 100);
  return {
    ready,
    arms: list,
    fraction,
    requiredFraction,
    reason: ready ? `outcomes in: ${pct}% of expected outcomes` : `waiting: ${pct}% of expected outcomes (arm ${least!.arm}; judging at ${Math.round(requiredFraction * 100)}%)`,
  };
}
