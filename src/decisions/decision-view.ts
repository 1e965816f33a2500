import type { DecisionData, OutcomeData } from '../core/index.js';

/** A decision and, once it arrived, its outcome: what `GET /api/v1/decisions/{id}` returns. */
export interface DecisionView {
  readonly decision: DecisionData & { readonly decidedAt: string };
  readonly outcome?: OutcomeData & { readonly recordedAt: string };
  /**
   * Set when the decision's event was moved to cold storage (`apprentice tier`): its features and
   * context are not in the hot tables; `apprentice tier read --stream <stream>` reads them.
   */
  readonly cold?: { readonly stream: string };
}

/** A `decisions_with_outcomes` row as a view. */
export function viewFromRow(r: Record<string, unknown>): DecisionView {
  const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
  const decision = {
    decisionId: String(r.decision_id),
    agent: String(r.agent),
    unitId: String(r.unit_id),
    value: r.value,
    deterministic: r.deterministic ?? undefined,
    source: r.source as DecisionData['source'],
    reason: String(r.reason),
    modelVersion: (r.model_version as number | null) ?? undefined,
    variant: r.variant as DecisionData['variant'],
    propensity: Number(r.propensity),
    latencyMs: Number(r.latency_ms),
    features: (r.features as Record<string, unknown> | null) ?? undefined,
    context: r.context ?? undefined,
    subjectId: (r.subject_id as string | null) ?? undefined,
    contextHash: (r.context_hash as string | null) ?? undefined,
    decidedAt: iso(r.decided_at),
  };
  const cold = r.event_tiered === true ? { cold: { stream: `decision-${decision.decisionId}` } } : {};
  if (r.outcome_kind === null || r.outcome_kind === undefined) return { decision, ...cold };
  return {
    decision,
    ...cold,
    outcome: {
      decisionId: decision.decisionId,
      label: (r.outcome_label as string | null) ?? undefined,
      value: (r.outcome_value as number | null) ?? undefined,
      reward: (r.outcome_reward as number | null) ?? undefined,
      kind: r.outcome_kind as OutcomeData['kind'],
      rating: (r.outcome_rating as number | null) ?? undefined,
      recordedAt: iso(r.outcome_at),
    },
  };
}
