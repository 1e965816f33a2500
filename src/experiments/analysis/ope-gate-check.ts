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
 * carries the gate's evidence when it passes. Other verdicts are unchanged. Pure.
 * @example opeGateVerdict({ action: 'advance', reasons: ['shadow: …'] }, result)
 */
export function opeGateVerdict(verdict: Verdict, ope: OpeGateResult | undefined): Verdict {
  if (!ope || verdict.action !== 'advance') return verdict;
  return ope.pass ? { action: 'advance', reasons: [...verdict.reasons, ...ope.reasons] } : { action: 'hold', reasons: ope.reasons };
}

/** Payload of `OpeGateEvaluated`: the agent and the gate's evidence. */
export interface OpeGateEvaluatedData extends OpeGateResult {
  readonly agent: string;
}

/** The audit event of one gate evaluation (stream `rollout-<agent>`, actor the controller). */
export function opeGateEvent(agent: string, result: OpeGateResult, actor: string, now: number): NewEvent<typeof EventType.OpeGateEvaluated, OpeGateEvaluatedData> {
  return {
    id: uuidv7(now),
    type: EventType.OpeGateEvaluated,
    stream: `rollout-${agent}`,
    data: { agent, ...result },
    metadata: { actor, reason: result.reasons.join('; ') },
    time: new Date(now).toISOString(),
  };
}
