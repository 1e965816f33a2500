import type { Counter } from 'prom-client';
import type { FlagStore, RolloutController } from '../experiments/index.js';
import { RolloutPhase } from '../experiments/index.js';
import type { RolloutChange } from '../experiments/index.js';
import { collectFrom, onCollect, type Disposer, type GaugeSample, type Metrics } from '../observability/index.js';

const STATES = [RolloutPhase.SHADOW, RolloutPhase.CANARY, RolloutPhase.PROMOTED, RolloutPhase.PAUSED, RolloutPhase.ROLLED_BACK] as const;

/** Who triggered a rollback, from the audited actor and reason of the change. */
export function rollbackTrigger(change: Pick<RolloutChange, 'actor' | 'reason'>): string {
  const reason = change.reason ?? '';
  if (/emergency/i.test(reason)) return 'emergency';
  if (change.actor === 'alertmanager') return 'alert';
  if (change.actor === 'controller') return /breaker/i.test(reason) ? 'breaker' : 'guardrail';
  return 'operator';
}

/**
 * Counters from the controller's own transitions (its `onChange`, called once per audited
 * `RolloutStepChanged` in the instance that made it): steps advanced, promotions, rollbacks.
 */
export function countRolloutChange(m: Metrics, change: RolloutChange): void {
  const { agent, after } = change;
  if (change.command === 'advance' && after.phase === RolloutPhase.CANARY) m.rolloutAdvancesTotal.inc({ agent });
  if (after.phase === RolloutPhase.PROMOTED) m.rolloutPromotionsTotal.inc({ agent });
  if (after.phase === RolloutPhase.ROLLED_BACK) m.rolloutRollbacksTotal.inc({ agent, trigger: rollbackTrigger(change) });
}

/** Flag changes applied in this instance: made here by the API or the controller, or received (`sync`). */
export function countFlagChanges(m: Metrics, flags: FlagStore): Disposer {
  return flags.onChange((c) => {
    const source = c.via !== 'local' ? 'sync' : c.after?.updatedBy === 'controller' ? 'controller' : 'api';
    m.flagChangesTotal.inc({ flag: c.key, source });
  });
}

/**
 * Scrape-time rollout and experiment figures, read from the controller: each agent's state and
 * traffic share from the rollout log (the same in every instance), and for each running step
 * the analysis the controller acts on (the same figures as `GET /experiments/{id}/significance`).
 * Exposure and outcome counts of an experiment only grow, so they feed counters by difference.
 */
export function collectRolloutMetrics(m: Metrics, controller: RolloutController, options: { onError?: (e: unknown) => void } = {}): Disposer {
  const seen = new Map<string, number>();
  const addUp = (key: string, now: number, c: Counter<string>, labels: Record<string, string>): void => {
    const d = now - (seen.get(key) ?? 0);
    if (d > 0) c.inc(labels, d);
    seen.set(key, now);
  };
  type Row = { agent: string; experiment: string; status: Awaited<ReturnType<RolloutController['status']>> };
  let cached: { at: number; rows: Promise<Row[]> } | undefined;
  // One read of the controller per scrape (within a second), shared by every family below.
  const read = (): Promise<Row[]> => {
    if (cached && Date.now() - cached.at < 1000) return cached.rows;
    const rows = (async () => {
      const out: Row[] = [];
      for (const r of await controller.rollouts()) {
        if (r.state.phase !== RolloutPhase.CANARY && !(r.state.phase === RolloutPhase.PAUSED && r.state.paused.phase === RolloutPhase.CANARY)) continue;
        const status = await controller.status(r.agent);
        if (status.experiment && status.analysis) out.push({ agent: r.agent, experiment: status.experiment.id, status });
      }
      return out;
    })();
    cached = { at: Date.now(), rows };
    return rows;
  };
  const samples = <L extends string>(f: (r: Row) => GaugeSample<L>[]) => async () => (await read()).flatMap(f);
  const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);
  const onError = options.onError ? { onError: options.onError } : {};
  const disposers: Disposer[] = [
    collectFrom(
      m.rolloutState,
      async () =>
        (await controller.rollouts()).flatMap((r) => STATES.map((state) => ({ labels: { agent: r.agent, state }, value: r.state.phase === state ? 1 : 0 }))),
      onError,
    ),
    collectFrom(
      m.rolloutTrafficRatio,
      async () =>
        (await controller.rollouts()).map((r) => {
          const s = r.state;
          const pct = s.phase === RolloutPhase.CANARY ? s.percentage : s.phase === RolloutPhase.PROMOTED ? 100 : s.phase === RolloutPhase.PAUSED && s.paused.phase === RolloutPhase.CANARY ? s.paused.percentage : 0;
          return { labels: { agent: r.agent }, value: pct / 100 };
        }),
      onError,
    ),
    collectFrom(
      m.experimentOutcomeMean,
      samples((r) =>
        (['deterministic', 'ml'] as const).flatMap((variant) => {
          const arm = r.status.analysis!.arms[variant];
          return arm.outcomes > 0 ? [{ labels: { agent: r.agent, variant }, value: arm.mean }] : [];
        }),
      ),
      onError,
    ),
    collectFrom(
      m.experimentPValue,
      samples((r) => (r.status.analysis!.testable ? [{ labels: { agent: r.agent, experiment: r.experiment }, value: r.status.analysis!.pValue }] : [])),
      onError,
    ),
    collectFrom(
      m.experimentEffect,
      samples((r) => {
        const e = r.status.analysis!.relativeEffect;
        return finite(e) ? [{ labels: { agent: r.agent, experiment: r.experiment }, value: e }] : [];
      }),
      onError,
    ),
    collectFrom(
      m.experimentSrmPValue,
      samples((r) => [{ labels: { agent: r.agent, experiment: r.experiment }, value: r.status.analysis!.srm.pValue }]),
      onError,
    ),
    collectFrom(
      m.experimentSrmMismatch,
      samples((r) => [{ labels: { agent: r.agent, experiment: r.experiment }, value: r.status.analysis!.srm.mismatch ? 1 : 0 }]),
      onError,
    ),
    onCollect(m.experimentOutcomeMean, async () => {
      for (const r of await read().catch(() => [] as Row[]))
        for (const variant of ['deterministic', 'ml'] as const) {
          const arm = r.status.analysis!.arms[variant];
          addUp(`${r.experiment}/x/${variant}`, arm.exposures, m.experimentExposuresTotal as Counter<string>, { agent: r.agent, variant });
          addUp(`${r.experiment}/o/${variant}`, arm.outcomes, m.experimentOutcomesTotal as Counter<string>, { agent: r.agent, variant });
        }
    }),
  ];
  return () => {
    for (const d of disposers) d();
  };
}
