import { EventType, type DecisionData } from '../../core/index.js';
import { applyInput, emptyState, readFeatures, type EntityState, type FeatureValue, type ViewInput } from './aggregation.js';
import type { FeatureViewDefinition } from './feature-view.js';
import { viewInputsOf, type LogEvent } from './view-input.js';

/** One training row to fill: the features of `entity` as of `time` (epoch ms), under `key`. */
export interface AsOfRequest {
  readonly key: string;
  readonly entity: string;
  readonly time: number;
}

/**
 * Point-in-time join (Feast's `get_historical_features`): for each request, the view's
 * features as they were just before the request's time — built from the inputs strictly before
 * it, never later. One sweep in time order over the inputs and the requests:
 * O((inputs + requests) · log), each row read from the same bucketed state the online store
 * serves, so training sees what serving would have seen with no lag.
 * @example
 * const rows = pointInTimeJoin(view, events, [{ key: d.decisionId, entity: 'anna', time: Date.parse(d.time) }]);
 */
export function pointInTimeJoin(view: FeatureViewDefinition, log: readonly LogEvent[], requests: readonly AsOfRequest[]): Map<string, Record<string, FeatureValue>> {
  return joinInputs(view, viewInputsOf(view, log), requests);
}

/** `pointInTimeJoin` over inputs already extracted (the brute-force check uses the same inputs). */
export function joinInputs(view: FeatureViewDefinition, inputs: readonly ViewInput[], requests: readonly AsOfRequest[]): Map<string, Record<string, FeatureValue>> {
  const sorted = [...inputs].sort((a, b) => a.time - b.time || a.seq - b.seq);
  const asked = [...requests].sort((a, b) => a.time - b.time);
  const states = new Map<string, EntityState>();
  const out = new Map<string, Record<string, FeatureValue>>();
  let k = 0;
  for (const r of asked) {
    // Strictly before the request: an input at the same instant has not happened yet for it.
    while (k < sorted.length && sorted[k]!.time < r.time) {
      const x = sorted[k++]!;
      let s = states.get(x.entity);
      if (!s) states.set(x.entity, (s = emptyState()));
      applyInput(view, s, x);
    }
    out.set(r.key, readFeatures(view, states.get(r.entity), r.time));
  }
  return out;
}

/**
 * The rows to fill for an agent's decisions: one per `DecisionMade` of `agent` whose context
 * (or, failing that, features) holds the entity id under `entityKey`, keyed by decision id.
 */
export function decisionRequests(log: readonly LogEvent[], agent: string, entityKey: string): AsOfRequest[] {
  const out: AsOfRequest[] = [];
  for (const e of log) {
    if (e.type !== EventType.DecisionMade) continue;
    const d = e.data as DecisionData;
    if (d.agent !== agent) continue;
    const ctx = d.context as Record<string, unknown> | null | undefined;
    const raw = (ctx && typeof ctx === 'object' ? ctx[entityKey] : undefined) ?? d.features?.[entityKey];
    if (typeof raw !== 'string' && typeof raw !== 'number') continue;
    out.push({ key: d.decisionId, entity: String(raw), time: Date.parse(e.time) });
  }
  return out;
}
