import type { RolloutController } from '../experiments/index.js';
import type { ExplorationStats } from '../learning/index.js';
import { collectFrom, type Disposer, type Metrics } from '../observability/index.js';

export interface EvidenceMetricsSources {
  readonly controller: RolloutController;
  /** The decision engine's exploration so far (`BanditExplorer.stats()`). */
  readonly exploration: () => readonly ExplorationStats[];
  readonly onError?: (e: unknown) => void;
}

/**
 * Scrape-time figures of issue 12: each exploring agent's realised exploration share beside its
 * budget, and the evidence gates as the controller last computed them — the OPE gate of a
 * shadow candidate (pass, DR estimate and interval beside the served value, effective sample
 * size) and the expected completeness of a running step's outcomes. Read from memory: a scrape
 * never re-runs the OPE over the log.
 */
export function collectEvidenceMetrics(m: Metrics, s: EvidenceMetricsSources): Disposer {
  const onError = s.onError ? { onError: s.onError } : {};
  const latest = async () => (await s.controller.agents()).map((agent) => ({ agent, e: s.controller.latestEvidence(agent) }));
  const finite = (x: number): boolean => Number.isFinite(x);
  const disposers: Disposer[] = [
    collectFrom(m.explorationShare, () => s.exploration().map((x) => ({ labels: { agent: x.agent }, value: x.share })), onError),
    collectFrom(m.explorationBudgetRatio, () => s.exploration().map((x) => ({ labels: { agent: x.agent }, value: x.budget })), onError),
    collectFrom(m.opeGatePass, async () => (await latest()).flatMap(({ agent, e }) => (e?.ope ? [{ labels: { agent }, value: e.ope.pass ? 1 : 0 }] : [])), onError),
    collectFrom(
      m.opeEstimate,
      async () =>
        (await latest()).flatMap(({ agent, e }) => {
          const o = e?.ope;
          if (!o) return [];
          const values = { dr: o.dr.estimate, lower: o.interval.lower, upper: o.interval.upper, served: o.servedValue };
          return Object.entries(values)
            .filter(([, v]) => finite(v))
            .map(([value, v]) => ({ labels: { agent, value }, value: v }));
        }),
      onError,
    ),
    collectFrom(m.opeEffectiveSampleSize, async () => (await latest()).flatMap(({ agent, e }) => (e?.ope ? [{ labels: { agent }, value: e.ope.effectiveSampleSize }] : [])), onError),
    collectFrom(
      m.rolloutOutcomeCompletenessRatio,
      async () => (await latest()).flatMap(({ agent, e }) => (e?.outcomes ? [{ labels: { agent }, value: e.outcomes.fraction }] : [])),
      onError,
    ),
  ];
  return () => {
    for (const d of disposers) d();
  };
}
