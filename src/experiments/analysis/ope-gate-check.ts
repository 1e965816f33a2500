import { EventType, type NewEvent, uuidv7 } from '../../core/index.js';
import type { EventStore } from '../../log/index.js';
import type { Verdict } from '../rollout/rollout-policy.js';
import { type OpeCandidate, type OpeGateOptions, type OpeGateResult, evaluateOpeGate } from './ope-gate.js';
import { readOpeLog } from './ope-log.js';

type MaybePromise<T> = T | Promise<T>;

export interface OpeGateCheckOptions {
  readonly store: EventStore;
  /** The candidate (shadow model) of an agent, or undefined when it has none or is no reward model (no gate). */
  readonly candidate: (agent: string) => MaybePromise<OpeCandidate | undefined>;
  /** Gate settings; see `OPE_GATE_DEFAULTS`. The settings of each call (the rollout policy's `ope`) win over these. */
  readonly options?: OpeGateOptions;
}

/**
 * The seam the rollout controller calls at shadow → canary: the OPE gate of the agent's
 * candidate on its rewarded decisions since `since` (the shadow phase). Undefined when the
 * agent has no candidate (label agents: the shadow comparison alone decides).
 * @example
 * const ope = createOpeGateCheck({ store, candidate: (a) => serving.shadowCandidate(a) });
 * const result = await ope('pisarz', state.since);
 */
export function createOpeGateCheck(o: OpeGateCheckOptions): (agent: string, since: string, options?: OpeGateOptions) => Promise<OpeGateResult | undefined> {
  return async (agent, since, options) => {
    const candidate = await o.candidate(agent);
    if (!candidate) return undefined;
    return evaluateOpeGate(await readOpeLog(o.store, { agent, since }), candidate, { ...o.options, ...options });
  };
}

/**
 * The shadow verdict with the OPE gate applied: an `advance` holds when the gate fails, and
 * carries the gate's evidence when it passes. A `hold` for another reason (too few shadow
 * outcomes, no shadow evidence yet) also names a failing gate, so the verdict says everything
 * that holds the rollout. A passing gate leaves a hold as it is; other verdicts are unchanged. Pure.
 * @example opeGateVerdict({ action: 'advance', reasons: ['shadow: …'] }, result)
 */
export function opeGateVerdict(verdict: Verdict, ope: OpeGateResult | undefined): Verdict {
  if (!ope || verdict.action === 'rollback') return verdict;
  if (verdict.action === 'hold') return ope.pass ? verdict : { ...verdict, reasons: [...verdict.reasons, ...ope.reasons] };
  return ope.pass ? { action: 'advance', reasons: [...verdict.reasons, ...ope.reasons] } : { action: 'hold', reasons: ope.reasons };
}

/** Payload of `OpeGateEvaluated`: the agent and the gate's evidence. */
export interface OpeGateEvaluatedData extends OpeGateResult {
  readonly agent: string;
  /**
   * Start of the shadow period the gate judged (its decisions are those since then): another
   * instance shows this evidence only while the rollout is still in that shadow period. Absent
   * in events written before it was recorded.
   */
  readonly since?: string | undefined;
}

/** The audit event of one gate evaluation (stream `rollout-<agent>`, actor the controller). */
export function opeGateEvent(agent: string, result: OpeGateResult, actor: string, now: number, since?: string): NewEvent<typeof EventType.OpeGateEvaluated, OpeGateEvaluatedData> {
  return {
    id: uuidv7(now),
    type: EventType.OpeGateEvaluated,
    stream: `rollout-${agent}`,
    data: { agent, ...result, ...(since !== undefined ? { since } : {}) },
    metadata: { actor, reason: result.reasons.join('; ') },
    time: new Date(now).toISOString(),
  };
}

const num = (x: unknown): number => (typeof x === 'number' ? x : NaN);

/**
 * The gate's evidence as an `OpeGateEvaluated` event holds it: JSON has no NaN or Infinity
 * (they are stored as null), so non-numbers read back as NaN (`stdErr`: Infinity). Undefined when
 * the payload is not a gate result.
 */
export function opeResultOfEvent(data: unknown): (OpeGateResult & { readonly since: string | undefined }) | undefined {
  const d = data as Partial<Record<keyof OpeGateEvaluatedData, unknown>> | null;
  if (!d || typeof d.pass !== 'boolean' || typeof d.n !== 'number' || !Array.isArray(d.reasons)) return undefined;
  const dr = (d.dr ?? {}) as Record<string, unknown>;
  const interval = (d.interval ?? {}) as Record<string, unknown>;
  return {
    pass: d.pass,
    reasons: d.reasons.filter((r): r is string => typeof r === 'string'),
    n: d.n,
    dr: { estimate: num(dr.estimate), stdErr: typeof dr.stdErr === 'number' ? dr.stdErr : Infinity },
    interval: { lower: num(interval.lower), upper: num(interval.upper), alpha: num(interval.alpha) },
    servedValue: num(d.servedValue),
    margin: num(d.margin),
    effectiveSampleSize: num(d.effectiveSampleSize),
    minEffectiveSampleSize: num(d.minEffectiveSampleSize),
    minPropensity: num(d.minPropensity),
    maxWeight: num(d.maxWeight),
    meanWeight: num(d.meanWeight),
    since: typeof d.since === 'string' ? d.since : undefined,
  };
}
