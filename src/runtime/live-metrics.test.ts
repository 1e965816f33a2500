import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMetrics } from '../observability/metrics/catalogue.js';
import { buildDashboards } from '../observability/metrics/dashboards/write-dashboards.js';
import { promqlRefs } from '../observability/metrics/promql-refs.js';
import { allRules, repoRoot } from '../observability/metrics/testing/rule-files.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { buildServer } from '../server/app.js';
import { installPlatform, type Platform } from './install-platform.js';

// Issue 17: after a scripted scenario — agents deciding and learning, a rollout that advances,
// one that rolls back, a drift, a breaker opening — every catalogue family has samples with
// plausible values, set by the code path that owns the fact. A family still empty fails the
// test unless it is listed below with the reason it is empty in this scenario.

/**
 * Families with no sample in this scenario, and why (also in docs/metrics.md). Each reason is a
 * condition ("only when ...", "only for ...", "only after ...", "only while ..."; the guard below
 * checks it): a family that nothing sets is removed, not listed.
 */
const EMPTY_IN_SCENARIO: Readonly<Record<string, string>> = {
  apprentice_concept_drift_detected_total: 'only when a served version becomes significantly worse than the rules or its registration quality; this scenario changes features, not the truth (concept-drift.test.ts covers it)',
  apprentice_bus_publish_errors_total: 'only when publishing to the bus fails (Redis down): the embedded bus never fails',
  apprentice_bus_spool_replayed_total: 'only after the bus recovers from an outage with events in the spool',
  apprentice_event_store_append_errors_total: 'only when the event store refuses an append (PostgreSQL down)',
  apprentice_bus_dead_letters_total: 'only when an entry is delivered too many times',
  apprentice_tier_partitions_total: 'only after a tiering run (scheduled with PostgreSQL, or POST /api/v1/admin/tier) handled a partition older than coldAfterDays (src/runtime/tiering-job.test.ts reads it)',
  apprentice_writer_dropped_total: 'only when an event is recorded after close or the spool refuses a batch (disk full)',
  apprentice_learner_worker_restarts_total: 'only when a shadow pool worker crashes, runs out of memory or is killed at its time limit',
  apprentice_alerts_received_total: 'only when Alertmanager calls the webhook (test/e2e/prometheus.e2e.test.ts)',
  apprentice_alert_remediations_total: 'only when Alertmanager calls the webhook (test/e2e/prometheus.e2e.test.ts)',
  apprentice_shadow_dropped_total: 'only when shadow work is shed (queue full, event loop throttled, closing); the throttle is held off here so shed jobs cannot make the counts above vary',
  apprentice_ml_performance_impact_ratio: 'only when both impact probe windows (learning on and off, minutes long) have decide latencies',
  apprentice_model_prediction_errors_total: 'only when a model throws, times out or answers outside its labels',
  // Issue 12 (src/runtime/evidence-metrics.test.ts reads them after a reward agent explored and was evaluated):
  apprentice_exploration_share: 'only for reward agents with an exploration spec; this scenario has none',
  apprentice_exploration_budget_ratio: 'only for reward agents with an exploration spec; this scenario has none',
  apprentice_ope_gate_pass: 'only for an exploring reward agent in shadow with a shadow model, evaluated by this instance\'s controller (off here)',
  apprentice_ope_estimate: 'only for an exploring reward agent in shadow with a shadow model, evaluated by this instance\'s controller (off here)',
  apprentice_ope_effective_sample_size: 'only for an exploring reward agent in shadow with a shadow model, evaluated by this instance\'s controller (off here)',
  apprentice_rollout_outcome_completeness_ratio: 'only for a running step evaluated by this instance\'s controller (off here; the steps are moved by operator commands)',
  // Issue 13 (src/runtime/features-http.test.ts reads them after decisions read a feature view):
  apprentice_feature_view_freshness_seconds: 'only when a feature view is defined and materialised; this scenario defines none',
  apprentice_feature_view_completeness_ratio: 'only when a decision or the API reads a feature view; this scenario defines none',
  apprentice_feature_view_reads_total: 'only when a decision or the API reads a feature view; this scenario defines none',
  apprentice_feature_view_inputs_applied_total: 'only when a feature view is defined and materialised; this scenario defines none',
  apprentice_feature_view_backfill_progress_ratio: 'only when a feature view is defined and materialised; this scenario defines none',
  apprentice_feature_store_losses_total: 'only when the online store lost a view (Redis restarted empty: feature-store-recovery.int.test.ts)',
};

/** Every file of `dir`, recursively. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));

/**
 * Metric names an operator reads: Prometheus rules and their tests, Grafana dashboards and
 * provisioning, docs/metrics.md and the runbooks. Histogram series suffixes are stripped; a name
 * after `/` is a file (a credentials file), not a metric.
 */
function namesMentioned(): Map<string, string[]> {
  const files = [...filesUnder(join(repoRoot, 'monitoring')), join(repoRoot, 'docs/metrics.md'), ...filesUnder(join(repoRoot, 'docs/runbooks'))];
  const out = new Map<string, string[]>();
  for (const f of files)
    for (const [name] of readFileSync(f, 'utf8').matchAll(/(?<![\w/.-])apprentice_[a-z0-9_]+/g)) {
      const base = name!.replace(/_(bucket|count|sum)$/, '');
      const key = name!.endsWith('_total') || !/_(bucket|count|sum)$/.test(name!) ? name! : base;
      out.set(key, [...(out.get(key) ?? []), f.slice(repoRoot.length + 1)]);
    }
  return out;
}

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const triage = { name: 'triage', kind: 'classification', feedback: 'label', labels: ['low', 'high'], features: [{ name: 'size', type: 'numeric' }] };
const estimator = { name: 'estimator', kind: 'regression', feedback: 'label', features: [{ name: 'files', type: 'numeric' }] };

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('live /metrics after a scripted scenario: every family has samples with plausible values', () => {
  let dir: string;
  let a: Apprentice;
  let platform: Platform;
  let app: FastifyInstance;
  let samples: Sample[];
  const next = rng(7);

  const settle = async (): Promise<void> => {
    await platform.learning.shadow.idle();
    await a.writer.flush();
    await a.projector?.drainOnce();
  };
  /** One decision over HTTP and its outcome: `size` > 0.5 is `high`; the rules always say `low`. */
  const triageOnce = async (i: number, shift = 0): Promise<void> => {
    const size = next() + shift;
    const d = await app.inject({ method: 'POST', url: '/api/v1/agents/triage/decide', payload: { unitId: `t-${i}`, context: { size }, deterministic: 'low' } });
    expect(d.statusCode).toBe(200);
    const { decisionId } = d.json() as { decisionId: string };
    await a.recordOutcome(decisionId, { label: size > 0.5 ? 'high' : 'low' });
  };
  const estimateOnce = async (i: number): Promise<void> => {
    const files = Math.round(next() * 20);
    const d = await platform.learning.engine.decideAsync('estimator', `e-${i}`, { files }, files);
    await a.recordOutcome(d.decisionId, { value: 2 * files + 1 });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-live-metrics-'));
    a = await createApprentice({ config: { dataDir: dir } });
    platform = await installPlatform(a, {
      agents: [{ definition: triage }, { definition: estimator }],
      controller: false,
      trainer: { registerEvery: 50, minSamples: 50 },
      drift: { windowSize: 100 },
      // The machine is shared: thresholds no event loop reaches, so no shadow job is shed here.
      throttle: { log: () => undefined, throttle: { highDelayMs: 1e9, highElu: 1 } },
    });
    app = await buildServer(a, { routes: [...(platform.server.routes ?? [])], context: { ...platform.server.context } });

    // 1. Agents decide, outcomes arrive, the trainer registers versions (alias `shadow`).
    for (let i = 0; i < 150; i++) {
      await triageOnce(i);
      await estimateOnce(i);
    }
    await settle();
    await until('a shadow version of each agent', 20_000, () =>
      platform.learning.registry.aliases('triage').shadow !== undefined && platform.learning.registry.aliases('estimator').shadow !== undefined ? true : undefined,
    );
    await platform.learning.serving.settled();
    // 2. Shadow predictions of those versions, judged on outcomes.
    for (let i = 150; i < 300; i++) {
      await triageOnce(i);
      await estimateOnce(i);
    }
    await settle();
    // 3. A rollout that advances (operator, audited): triage to 5% then 25%; traffic on both arms.
    for (const step of [1, 2]) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/rollouts/triage/advance', payload: { reason: `step ${step}` } });
      expect(r.statusCode).toBe(200);
    }
    await platform.learning.serving.settled();
    for (let i = 300; i < 500; i++) await triageOnce(i);
    // 4. A rollout that is promoted (5, 25, 50, 100%, promoted), then rolled back to the rules.
    for (let step = 0; step < 5; step++) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/rollouts/estimator/advance', payload: {} });
      expect(r.statusCode, `advance ${step + 1}: ${r.body}`).toBe(200);
    }
    const back = await app.inject({ method: 'POST', url: '/api/v1/rollouts/estimator/rollback', payload: { reason: 'drill' } });
    expect(back.statusCode, back.body).toBe(200);
    // 5. A breaker opening: every breaker open, decisions of the ml arm fall back.
    expect((await app.inject({ method: 'POST', url: '/api/v1/circuit-breakers/open-all', payload: { reason: 'drill' } })).statusCode).toBe(200);
    for (let i = 500; i < 600; i++) await triageOnce(i);
    // 6. A drift: `size` moves up by 3 for two drift windows; the drift monitor pauses triage's rollout.
    for (let i = 600; i < 800; i++) await triageOnce(i, 3);
    // 7. A rejected decide request.
    expect((await app.inject({ method: 'POST', url: '/api/v1/agents/triage/decide', payload: { unitId: 7 } })).statusCode).toBe(400);
    await settle();
    // The training loop follows the store: wait until it has read every outcome.
    await until('the drift monitor to judge the shifted windows', 150_000, () => (platform.drift?.service.isDrifting('triage') ? true : undefined));
    await until('the training loop to catch up', 60_000, () => ((platform.learning.trainer?.stats.outcomes ?? 0) >= 1100 ? true : undefined));
    expect((await app.inject({ method: 'GET', url: '/api/v1/decisions/01900000-0000-7000-8000-000000000000' })).statusCode).toBe(404);
    const scrape = await app.inject({ method: 'GET', url: '/metrics' });
    expect(scrape.statusCode).toBe(200);
    samples = parseExposition(scrape.body);
  }, 300_000);
  afterAll(async () => {
    await app?.close();
    await platform?.stop();
    await a?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const of = (name: string, labels: Record<string, string> = {}): Sample[] =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  const one = (name: string, labels: Record<string, string> = {}): number => {
    const found = of(name, labels);
    expect(found, `${name}${JSON.stringify(labels)}: ${found.length} samples`).toHaveLength(1);
    return found[0]!.value;
  };

  it('every catalogue family has at least one sample, apart from the listed ones', () => {
    const families = describeMetrics();
    expect(families.length).toBeGreaterThan(70);
    const present = (name: string, type: string): boolean =>
      type === 'histogram' ? of(`${name}_count`).some((s) => s.value > 0) : of(name).length > 0;
    const empty = families.filter((f) => !present(f.name, f.type)).map((f) => f.name);
    expect(empty.filter((n) => !(n in EMPTY_IN_SCENARIO))).toEqual([]);
    // The list names only catalogue families (no stale entries hiding nothing).
    const names = new Set(families.map((f) => f.name));
    expect(Object.keys(EMPTY_IN_SCENARIO).filter((n) => !names.has(n))).toEqual([]);
  });

  it('model and rules quality per agent and version, from live outcomes', () => {
    const { canary } = platform.learning.registry.aliases('triage');
    const acc = of('apprentice_model_accuracy', { agent: 'triage' });
    expect(acc.length).toBeGreaterThanOrEqual(1);
    for (const s of [...acc, ...of('apprentice_model_precision'), ...of('apprentice_model_recall'), ...of('apprentice_model_f1')]) {
      expect(s.value).toBeGreaterThanOrEqual(0);
      expect(s.value).toBeLessThanOrEqual(1);
    }
    // The learned model beats rules that always answer `low` (about half right).
    expect(one('apprentice_model_accuracy', { agent: 'triage', version: String(canary) })).toBeGreaterThan(0.8);
    const rules = one('apprentice_rules_accuracy', { agent: 'triage' });
    expect(rules).toBeGreaterThan(0.2);
    expect(rules).toBeLessThan(0.8);
    expect(one('apprentice_accuracy_improvement_ratio', { agent: 'triage' })).toBeGreaterThan(0.2);
    // ROC AUC of each version from the class probabilities of its shadow predictions (the canary
    // predicted in shadow before its rollout): `size` separates the labels.
    const auc = of('apprentice_model_auc', { agent: 'triage' });
    expect(auc.map((s) => s.labels.version)).toContain(String(canary));
    for (const s of auc) expect(s.value).toBeGreaterThan(0.9);
    for (const s of auc) expect(s.value).toBeLessThanOrEqual(1);
    expect(of('apprentice_model_auc', { agent: 'estimator' })).toEqual([]); // regression: no AUC
    // Regression: rules answer `files`, the truth is 2·files + 1.
    expect(one('apprentice_rules_mae', { agent: 'estimator' })).toBeGreaterThan(5);
    expect(one('apprentice_rules_rmse', { agent: 'estimator' })).toBeGreaterThanOrEqual(one('apprentice_rules_mae', { agent: 'estimator' }));
    for (const s of of('apprentice_model_mae', { agent: 'estimator' })) expect(s.value).toBeGreaterThanOrEqual(0);
    expect(of('apprentice_model_info', { agent: 'triage', alias: 'canary', learner: 'logistic-regression' }).map((s) => s.value)).toEqual([1]);
    expect(one('apprentice_model_loaded', { agent: 'triage', alias: 'canary' })).toBe(1);
    expect(one('apprentice_learner_versions_registered_total', { agent: 'triage' })).toBeGreaterThanOrEqual(1);
    expect(one('apprentice_learner_training_rows_total', { agent: 'triage' })).toBeGreaterThanOrEqual(700);
    expect(one('apprentice_learner_training_duration_seconds_count', { agent: 'estimator' })).toBeGreaterThan(0);
  });

  it('shadow counters from the shadow runner', () => {
    expect(one('apprentice_shadow_predictions_total', { agent: 'triage' })).toBeGreaterThanOrEqual(100);
    const agreement = one('apprentice_shadow_agreement_ratio', { agent: 'triage' });
    expect(agreement).toBeGreaterThan(0);
    expect(agreement).toBeLessThan(1);
    expect(one('apprentice_model_prediction_duration_seconds_count', { agent: 'triage', path: 'shadow' })).toBeGreaterThanOrEqual(100);
    expect(one('apprentice_model_prediction_duration_seconds_count', { agent: 'triage', path: 'served' })).toBeGreaterThan(0);
    expect(one('apprentice_shadow_queue_depth')).toBeGreaterThanOrEqual(0);
  });

  it('rollout state and step counters from the controller, experiment figures from its analysis', () => {
    expect(one('apprentice_rollout_state', { agent: 'triage', state: 'paused' })).toBe(1);
    expect(one('apprentice_rollout_state', { agent: 'triage', state: 'canary' })).toBe(0);
    expect(one('apprentice_rollout_state', { agent: 'estimator', state: 'rolled_back' })).toBe(1);
    expect(one('apprentice_rollout_traffic_ratio', { agent: 'triage' })).toBe(0.25);
    expect(one('apprentice_rollout_traffic_ratio', { agent: 'estimator' })).toBe(0);
    expect(one('apprentice_rollout_advances_total', { agent: 'triage' })).toBe(2);
    expect(one('apprentice_rollout_advances_total', { agent: 'estimator' })).toBe(4);
    expect(one('apprentice_rollout_promotions_total', { agent: 'estimator' })).toBe(1);
    expect(one('apprentice_rollout_rollbacks_total', { agent: 'estimator', trigger: 'operator' })).toBe(1);
    expect(one('apprentice_flag_changes_total', { flag: 'rollout-triage', source: 'api' })).toBe(2);
    const ml = one('apprentice_experiment_exposures_total', { agent: 'triage', variant: 'ml' });
    const rules = one('apprentice_experiment_exposures_total', { agent: 'triage', variant: 'deterministic' });
    expect(ml).toBeGreaterThan(10);
    expect(rules).toBeGreaterThan(ml);
    expect(one('apprentice_experiment_outcomes_total', { agent: 'triage', variant: 'ml' })).toBeGreaterThan(10);
    const p = one('apprentice_experiment_srm_p_value', { agent: 'triage' });
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThanOrEqual(1);
    expect([0, 1]).toContain(one('apprentice_experiment_srm_mismatch', { agent: 'triage' }));
    for (const v of ['ml', 'deterministic']) {
      const mean = one('apprentice_experiment_outcome_mean', { agent: 'triage', variant: v });
      expect(mean).toBeGreaterThanOrEqual(0);
      expect(mean).toBeLessThanOrEqual(1);
    }
    const pv = one('apprentice_experiment_p_value', { agent: 'triage' });
    expect(pv).toBeGreaterThanOrEqual(0);
    expect(pv).toBeLessThanOrEqual(1);
    expect(Number.isFinite(one('apprentice_experiment_effect', { agent: 'triage' }))).toBe(true);
  });

  it('breakers, drift, decisions and the platform carry values', () => {
    expect(one('apprentice_breaker_state', { agent: 'triage', kind: 'failure' })).toBe(2);
    expect(of('apprentice_breaker_fallbacks_total', { agent: 'triage' }).reduce((s, x) => s + x.value, 0)).toBeGreaterThan(0);
    expect(of('apprentice_feature_drift_detected', { agent: 'triage', feature: 'size' }).map((s) => s.value)).toEqual([1]);
    expect(one('apprentice_dataset_drift_detected', { agent: 'triage' })).toBe(1);
    expect(one('apprentice_decision_rejections_total', { agent: 'triage', code: 'VALIDATION_FAILED' })).toBe(1);
    expect(of('apprentice_decisions_total', { agent: 'triage', variant: 'ml', source: 'ml', reason: 'MODEL' })[0]?.value).toBeGreaterThan(0);
    expect(one('apprentice_http_requests_total', { method: 'POST', route: '/api/v1/agents/:agent/decide', status: '200' })).toBe(800);
    expect(one('apprentice_outcomes_total', { agent: 'triage', kind: 'explicit' })).toBe(800);
  });

  it('the write path reports its batches: bus deliveries, event store appends and writer flushes', () => {
    const group = { stream: 'events', group: 'projector' };
    const delivered = one('apprentice_bus_deliveries_total', { ...group, result: 'delivered' });
    const acked = one('apprentice_bus_deliveries_total', { ...group, result: 'ack' });
    // An entry is one published writer batch (one or more events); every event went through the projector.
    expect(delivered).toBeGreaterThan(0);
    expect(acked).toBeGreaterThan(0);
    expect(acked).toBeLessThanOrEqual(delivered); // nothing claimed from another consumer here
    expect(of('apprentice_bus_deliveries_total', { result: 'retry' })).toEqual([]); // the store never failed
    // One append per projector batch (embedded: PGlite), each timed.
    const appends = one('apprentice_event_store_append_batch_duration_seconds_count', { store: 'pglite' });
    expect(appends).toBeGreaterThan(0);
    expect(one('apprentice_event_store_append_batch_duration_seconds_sum', { store: 'pglite' })).toBeGreaterThan(0);
    expect(one('apprentice_event_store_append_batch_duration_seconds_bucket', { store: 'pglite', le: '+Inf' })).toBe(appends);
    const flushes = one('apprentice_writer_flush_duration_seconds_count');
    expect(flushes).toBeGreaterThan(0);
    expect(one('apprentice_writer_flush_duration_seconds_sum')).toBeGreaterThan(0);
    expect(one('apprentice_writer_flush_duration_seconds_bucket', { le: '+Inf' })).toBe(flushes);
    // Batches carry several events: fewer appends than events appended (800 decisions, 800 outcomes, shadow results).
    const events = one('apprentice_event_store_appends_total', { type: 'all' });
    expect(events).toBeGreaterThanOrEqual(1600);
    expect(appends).toBeLessThan(events);
    expect(delivered).toBeLessThan(events);
  });

  it('guard: every metric named in monitoring/, docs/metrics.md or a runbook is registered and has samples here (or is listed with its condition)', () => {
    const mentioned = namesMentioned();
    expect(mentioned.size).toBeGreaterThan(70);
    const types = new Map(describeMetrics().map((f) => [f.name, f.type]));
    // Registered by the code: the registry the service scrapes holds it.
    const unregistered = [...mentioned].filter(([n]) => a.registry.getSingleMetric(n) === undefined).map(([n, where]) => `${n} (${[...new Set(where)].join(', ')})`);
    expect(unregistered, 'named in monitoring or docs, registered by nothing').toEqual([]);
    // Sampled after the scenario, or listed as empty here with the condition under which it has samples.
    const present = (name: string): boolean =>
      types.get(name) === 'histogram' ? of(`${name}_count`).some((s) => s.value > 0) : of(name).length > 0;
    const dead = [...mentioned.keys()].filter((n) => !present(n) && !(n in EMPTY_IN_SCENARIO));
    expect(dead, 'named in monitoring or docs, no sample after the scenario').toEqual([]);
    // A listed family is conditional, never "not set by anything".
    for (const [name, reason] of Object.entries(EMPTY_IN_SCENARIO)) expect(reason, name).toMatch(/^only (when|after|for|while) /);
  });

  it('every metric of every alert and recording rule and every dashboard panel is in the catalogue', () => {
    const names = new Set(describeMetrics().map((m) => m.name));
    const rules = allRules();
    expect(rules.length).toBeGreaterThanOrEqual(15);
    expect(rules.flatMap((r) => promqlRefs(r.expr).metrics.filter((m) => !names.has(m)))).toEqual([]);
    interface PanelLike {
      readonly targets?: readonly { readonly expr?: string }[];
      readonly panels?: readonly PanelLike[];
    }
    const exprsOf = (panels: readonly PanelLike[]): string[] =>
      panels.flatMap((p) => [...(p.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : [])), ...exprsOf(p.panels ?? [])]);
    const exprs = Object.values(buildDashboards()).flatMap((d) => exprsOf((d as unknown as { panels?: PanelLike[] }).panels ?? []));
    expect(exprs.length).toBeGreaterThan(40);
    expect([...new Set(exprs.flatMap((e) => promqlRefs(e).metrics))].filter((m) => !names.has(m))).toEqual([]);
  });
});
