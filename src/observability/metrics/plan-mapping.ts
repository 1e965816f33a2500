/**
 * Metric names used by the original plan, and the apprentice metric or PromQL that
 * provides each. Rendered into docs/metrics.md; every expression is checked by promtool
 * and against the catalogue.
 */
export interface PlanMetric {
  /** Name in the original plan. */
  readonly plan: string;
  /** The apprentice metric or a PromQL expression giving the same figure. */
  readonly promql: string;
  readonly note: string;
}

/**
 * Plan metrics apprentice does not export, and why: a metric that could only be declared and
 * never set would tell the operator that all is well (issue 17).
 */
export const PLAN_METRICS_NOT_PROVIDED: readonly { readonly plan: string; readonly reason: string }[] = [
  {
    plan: 'ml_roi_percentage',
    reason:
      'no cost model: no agent definition or config declares a value per outcome and a cost per prediction, so a return on investment could only be invented. `apprentice_accuracy_improvement_ratio` reports the quality gained over the rules',
  },
];

export const PLAN_METRICS: readonly PlanMetric[] = [
  {
    plan: 'ml_model_accuracy',
    promql: 'apprentice_model_accuracy',
    note: 'per agent and version; progressive validation',
  },
  { plan: 'ml_model_precision', promql: 'apprentice_model_precision', note: 'macro average' },
  { plan: 'ml_model_recall', promql: 'apprentice_model_recall', note: 'macro average' },
  { plan: 'ml_model_f1_score', promql: 'apprentice_model_f1', note: 'macro average' },
  { plan: 'ml_model_auc', promql: 'apprentice_model_auc', note: '' },
  { plan: 'ml_model_mae', promql: 'apprentice_model_mae', note: 'regression agents (e.g. task estimation)' },
  {
    plan: 'ml_rules_accuracy',
    promql: 'apprentice_rules_accuracy',
    note: 'the deterministic policy on the same outcomes',
  },
  {
    plan: 'ml_prediction_latency_p95',
    promql:
      'histogram_quantile(0.95, sum by (agent, le) (rate(apprentice_model_prediction_duration_seconds_bucket{path="served"}[5m])))',
    note: 'seconds; recording rule `apprentice:model_prediction_duration_seconds:p95` keeps the path label',
  },
  {
    plan: 'ml_predictions_total',
    promql:
      'sum by (agent) (apprentice_decisions_total{source="ml"}) + sum by (agent) (apprentice_shadow_predictions_total)',
    note: 'served plus shadow predictions',
  },
  {
    plan: 'ml_model_version',
    promql: 'apprentice_model_info',
    note: 'info metric: labels agent, alias, version, learner',
  },
  {
    plan: 'ml_feature_drift_score',
    promql: 'apprentice_feature_drift_score',
    note: 'label `method` names the test (ks, psi, ...)',
  },
  {
    plan: 'ml_data_drift_share',
    promql: 'apprentice_dataset_drift_share',
    note: 'Evidently-style dataset drift',
  },
  {
    plan: 'feast_feature_freshness_seconds',
    promql: 'max by (view) (apprentice_feature_view_freshness_seconds)',
    note: 'per feature view (entity features materialised from the log, docs/features.md; no Feast). Request features of each agent: `apprentice_feature_freshness_seconds`',
  },
  {
    plan: 'feast_feature_completeness_ratio',
    promql: 'sum by (view) (rate(apprentice_feature_view_reads_total{status="fresh"}[5m])) / sum by (view) (rate(apprentice_feature_view_reads_total[5m]))',
    note: 'per feature view: share of online reads served fresh (the gauge `apprentice_feature_view_completeness_ratio`: since the previous scrape). Request features of each agent: `apprentice_feature_completeness_ratio`',
  },
  {
    plan: 'ab_testing_decision_latency',
    promql:
      'histogram_quantile(0.95, sum by (agent, source, le) (rate(apprentice_decision_duration_seconds_bucket[5m])))',
    note: 'seconds; recording rule `apprentice:decision_duration_seconds:p95` (by agent)',
  },
  {
    plan: 'ab_testing_exposures_total',
    promql: 'apprentice_experiment_exposures_total',
    note: 'labels agent, variant',
  },
  {
    plan: 'ab_testing_conversions_total',
    promql: 'apprentice_experiment_outcomes_total',
    note: 'outcomes attributed to each arm',
  },
  { plan: 'ab_testing_p_value', promql: 'apprentice_experiment_p_value', note: '' },
  {
    plan: 'ab_testing_srm_detected',
    promql: 'apprentice_experiment_srm_mismatch',
    note: 'p-value in `apprentice_experiment_srm_p_value`',
  },
  {
    plan: 'ab_testing_traffic_split',
    promql: '100 * apprentice_rollout_traffic_ratio',
    note: 'percent of units in the ml arm',
  },
  {
    plan: 'ml_fallback_rate',
    promql:
      'sum by (agent) (rate(apprentice_decision_fallbacks_total[5m])) / sum by (agent) (rate(apprentice_decisions_total{variant="ml"}[5m]))',
    note: 'recording rule `apprentice:decision_fallback:ratio_rate5m`',
  },
  {
    plan: 'circuit_breaker_state',
    promql: 'apprentice_breaker_state',
    note: '0 closed, 1 half-open, 2 open; labels agent, kind',
  },
  { plan: 'ml_shadow_agreement_rate', promql: 'apprentice_shadow_agreement_ratio', note: '' },
  { plan: 'ml_training_samples_total', promql: 'apprentice_learner_training_rows_total', note: '' },
  {
    plan: 'learning_queue_size',
    promql: 'sum(apprentice_bus_consumer_lag) + sum(apprentice_bus_pending)',
    note: 'undelivered plus unacknowledged',
  },
  {
    plan: 'ml_performance_impact_ratio',
    promql: 'apprentice_ml_performance_impact_ratio',
    note: 'p99 latency ratio learning on/off, target <= 1.05',
  },
  {
    plan: 'ml_accuracy_improvement',
    promql: 'apprentice_accuracy_improvement_ratio',
    note: 'relative gain over the rules, 0.2 = 20%',
  },
];
