import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeMetrics } from './catalogue.js';
import { METRIC_SOURCES } from './metric-sources.js';
import { renderMetricsDoc } from './metrics-doc.js';
import { PLAN_METRICS, PLAN_METRICS_NOT_PROVIDED } from './plan-mapping.js';
import { promqlRefs } from './promql-refs.js';
import { checkExpressions } from './testing/promtool.js';
import { repoRoot } from './testing/rule-files.js';

describe('docs/metrics.md', () => {
  it('is up to date with the catalogue (run `npx tsx scripts/monitoring/metrics-doc.ts` if not)', () => {
    expect(readFileSync(join(repoRoot, 'docs/metrics.md'), 'utf8')).toBe(renderMetricsDoc());
  });

  it('says for every metric which code path sets it', () => {
    const missing = describeMetrics()
      .map((m) => m.name)
      .filter((n) => METRIC_SOURCES[n] === undefined);
    expect(missing, 'add them to src/observability/metrics/metric-sources.ts').toEqual([]);
  });

  it('names no metric that nothing sets (a metric declared and never set says all is well)', () => {
    const dead = Object.entries(METRIC_SOURCES).filter(([, s]) => /nothing|not set|^never/i.test(`${s.setBy} ${s.when ?? ''}`) || /^never/i.test(s.when ?? ''));
    expect(dead.map(([n]) => n)).toEqual([]);
    expect(describeMetrics().filter((m) => /\bnot set\b/i.test(m.help)).map((m) => m.name)).toEqual([]);
  });

  it('documents every metric with its type and labels', () => {
    const doc = renderMetricsDoc();
    for (const m of describeMetrics()) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${m.name}\` |`));
      expect(row, m.name).toBeDefined();
      expect(row).toContain(`| ${m.type} |`);
      for (const l of m.labelNames) expect(row).toContain(`\`${l}\``);
    }
  });

  it('maps every metric the plan names, through PromQL that parses and uses catalogue metrics', () => {
    const plan = PLAN_METRICS.map((p) => p.plan);
    for (const required of [
      'ml_model_accuracy',
      'ml_prediction_latency_p95',
      'ml_feature_drift_score',
      'feast_feature_freshness_seconds',
      'feast_feature_completeness_ratio',
      'ab_testing_decision_latency',
      'ml_performance_impact_ratio',
      'ml_roi_percentage',
      'ml_accuracy_improvement',
    ])
      expect([...plan, ...PLAN_METRICS_NOT_PROVIDED.map((p) => p.plan)]).toContain(required);
    expect(PLAN_METRICS_NOT_PROVIDED.filter((p) => plan.includes(p.plan))).toEqual([]);
    expect(new Set(plan).size).toBe(plan.length);
    const known = new Set(describeMetrics().map((m) => m.name));
    for (const p of PLAN_METRICS) {
      const refs = promqlRefs(p.promql);
      expect(refs.metrics.length, p.plan).toBeGreaterThan(0);
      for (const m of refs.metrics) expect(known.has(m), `${p.plan}: ${m}`).toBe(true);
    }
    const r = checkExpressions(PLAN_METRICS.map((p) => p.promql));
    expect(r.status, r.output).toBe(0);
  });
});

describe('promqlRefs', () => {
  it('strips histogram series suffixes only for catalogue histograms and finds recording rules', () => {
    const refs = promqlRefs(
      'sum(rate(apprentice_decision_duration_seconds_bucket[5m])) / apprentice_decisions_total + apprentice:x:p95 + apprentice_foo_count',
    );
    expect(refs.metrics).toEqual([
      'apprentice_decision_duration_seconds',
      'apprentice_decisions_total',
      'apprentice_foo_count',
    ]);
    expect(refs.recordingRules).toEqual(['apprentice:x:p95']);
  });
});
