/**
 * Which code path sets each metric (issue 17: a metric declared and never set tells the
 * operator that all is well). Rendered as the "set by" column of docs/metrics.md; a unit test
 * fails when a catalogue metric has no entry here. `when` says the condition under which the
 * metric has samples, for metrics that only make sense under one. Keyed by metric name, so
 * entries can be added without touching the catalogue; add yours when you add a metric.
 */
export interface MetricSource {
  /** The code path (file and hook) that sets it. */
  readonly setBy: string;
  /** Condition under which it has samples; absent when it always has (once the component runs). */
  readonly when?: string;
}

const LM = '`runtime/learning-metrics.ts`';
const RM = '`runtime/rollout-metrics.ts`';
const RT = '`runtime/runtime-metrics.ts` (writer, reader, projector and pipeline getters at scrape)';
const QUALITY = `${LM} at scrape, from \`VersionQuality\` (\`learning/shadow/version-quality.ts\`): every served (ml arm) and shadow answer of the version judged when its outcome arrives`;
const RULES = `${LM} at scrape, from \`VersionQuality\`: the deterministic answer logged with every decision, judged on its outcome`;
const ANALYSIS = `${RM} at scrape, from \`RolloutController.status()\` — the analysis the controller acts on (same figures as \`GET /api/v1/experiments/{id}/significance\`)`;
const OPE = '`runtime/evidence-metrics.ts` at scrape, from `RolloutController.latestEvidence()` — the OPE gate of its last evaluation (same figures as `ope` in `GET /api/v1/rollouts/{agent}`)';
const OPE_WHEN = 'a reward agent with an `exploration` spec and a shadow model is in shadow and the controller evaluated it in this instance (the leader)';
const BOUNDS = '`runtime/bounds-metrics.ts` at scrape, from each component\'s `bounds()` (decision cache, training loop, shadow statistics, served-quality, version-quality and ROC AUC feeds, the writer outbox), installed by `installLearning`; and the feature store\'s (`feature_online_cache`: the server-mode cache of Redis, 10,000 entities; `feature_materialiser_joins`: decisions remembered to join outcomes, 200,000 per view; `feature_history_inputs`: the training backfill\'s view inputs, 500,000; `feature_history_joins`: its joins, 200,000 per view), installed by `installFeatures`';
const STEP = 'while a rollout step (canary 5–100%, or paused there) runs';
const LABEL_AGENTS = 'label outcomes (classification agents); a version has samples once one of its answers has an outcome';
const VALUE_AGENTS = 'numeric outcomes (regression agents); a version has samples once one of its answers has an outcome';

export const METRIC_SOURCES: Readonly<Record<string, MetricSource>> = {
  apprentice_decisions_total: { setBy: `${LM} \`onDecision\` (decision engine)` },
  apprentice_decision_duration_seconds: { setBy: `${LM} \`onDecision\` (decision engine)` },
  apprentice_decision_fallbacks_total: { setBy: `${LM} \`onDecision\``, when: 'decisions of the ml arm answered by the rules' },
  apprentice_decision_rejections_total: {
    setBy: `${LM} \`decisionRejectionRoutes\` (onSend hook of \`POST /api/v1/agents/{agent}/decide\`)`,
    when: 'a decide request answered with a 4xx problem',
  },
  apprentice_outcomes_total: { setBy: '`runtime/create-apprentice.ts` `recordOutcome`' },
  apprentice_model_accuracy: { setBy: QUALITY, when: LABEL_AGENTS },
  apprentice_model_precision: { setBy: QUALITY, when: LABEL_AGENTS },
  apprentice_model_recall: { setBy: QUALITY, when: LABEL_AGENTS },
  apprentice_model_f1: { setBy: QUALITY, when: LABEL_AGENTS },
  apprentice_model_auc: {
    setBy: `${LM} at scrape, from \`VersionAuc\` (\`learning/shadow/version-auc.ts\`): \`ShadowPredicted.modelScores\` of each version judged when its label outcome arrives`,
    when: 'a built-in classifier predicts in shadow and its window holds both labels (more classes: every class of the model); ONNX models and served (ml arm) answers carry no probabilities',
  },
  apprentice_model_mae: { setBy: QUALITY, when: VALUE_AGENTS },
  apprentice_model_rmse: { setBy: QUALITY, when: VALUE_AGENTS },
  apprentice_rules_accuracy: { setBy: RULES, when: 'label outcomes' },
  apprentice_rules_f1: { setBy: RULES, when: 'label outcomes' },
  apprentice_rules_mae: { setBy: RULES, when: 'numeric outcomes with a numeric rules answer' },
  apprentice_rules_rmse: { setBy: RULES, when: 'numeric outcomes with a numeric rules answer' },
  apprentice_model_prediction_duration_seconds: {
    setBy: `${LM}: \`path="served"\` timed around the model call inside the agent's guard (\`timed\`), \`path="shadow"\` from each shadow result (\`onShadowResult\`)`,
    when: 'a model is loaded and serves (ml arm) or predicts in shadow',
  },
  apprentice_model_prediction_errors_total: {
    setBy: `${LM} \`onDecision\` (MODEL_ERROR, TIMEOUT) and \`onShadowResult\` (failed shadow predictions)`,
    when: 'a model throws, times out or answers outside its labels',
  },
  apprentice_model_loaded: { setBy: `${LM} at scrape, from \`ServingModels.loaded(agent, alias)\``, when: 'an alias exists' },
  apprentice_model_info: { setBy: `${LM} at scrape, from the model registry's aliases`, when: 'an alias exists' },
  apprentice_shadow_predictions_total: { setBy: `${LM} \`onShadowResult\` (\`ShadowRunner.onResult\`)`, when: 'a shadow model exists' },
  apprentice_shadow_agreement_ratio: { setBy: `${LM} at scrape, from \`ShadowStats\``, when: 'a shadow prediction succeeded' },
  apprentice_shadow_dropped_total: { setBy: `${LM} \`onShadowDropped\` (\`ShadowRunner.onDropped\`)`, when: 'shadow work is shed (queue full, throttled, closing)' },
  apprentice_shadow_queue_depth: { setBy: `${LM} at scrape: the shadow runner's queue plus the worker pool's` },
  apprentice_experiment_exposures_total: { setBy: `${ANALYSIS}; counted by difference of the arm's exposures`, when: STEP },
  apprentice_experiment_outcomes_total: { setBy: `${ANALYSIS}; counted by difference of the arm's outcomes`, when: STEP },
  apprentice_experiment_outcome_mean: { setBy: ANALYSIS, when: `${STEP}, per arm with an outcome` },
  apprentice_experiment_p_value: { setBy: ANALYSIS, when: `${STEP} with enough outcomes per arm to test (\`minOutcomes\`)` },
  apprentice_experiment_effect: { setBy: ANALYSIS, when: `${STEP} with enough outcomes per arm and a non-zero rules mean` },
  apprentice_experiment_srm_p_value: { setBy: ANALYSIS, when: STEP },
  apprentice_experiment_srm_mismatch: { setBy: ANALYSIS, when: STEP },
  apprentice_exploration_share: { setBy: '`runtime/evidence-metrics.ts` at scrape, from the decision engine\'s `BanditExplorer.stats()`', when: 'a reward agent with an `exploration` spec has decided in this instance' },
  apprentice_exploration_budget_ratio: { setBy: '`runtime/evidence-metrics.ts` at scrape, from the decision engine\'s `BanditExplorer.stats()`', when: 'a reward agent with an `exploration` spec has decided in this instance' },
  apprentice_ope_gate_pass: { setBy: OPE, when: OPE_WHEN },
  apprentice_ope_estimate: { setBy: OPE, when: OPE_WHEN },
  apprentice_ope_effective_sample_size: { setBy: OPE, when: OPE_WHEN },
  apprentice_rollout_outcome_completeness_ratio: {
    setBy: '`runtime/evidence-metrics.ts` at scrape, from `RolloutController.latestEvidence()` — the outcome-delay check of its last evaluation',
    when: 'a step below 100% runs and the controller evaluated it in this instance (the leader), with `minOutcomeCompleteness` > 0',
  },
  apprentice_rollout_traffic_ratio: { setBy: `${RM} at scrape, from the controller's rollout log`, when: 'an agent the controller knows' },
  apprentice_rollout_state: { setBy: `${RM} at scrape, from the controller's rollout log`, when: 'an agent the controller knows' },
  apprentice_rollout_advances_total: { setBy: `${RM} \`countRolloutChange\` (controller \`onChange\`, in the instance that made the change)`, when: 'a step advanced' },
  apprentice_rollout_rollbacks_total: { setBy: `${RM} \`countRolloutChange\` (controller \`onChange\`)`, when: 'a rollback' },
  apprentice_rollout_promotions_total: { setBy: `${RM} \`countRolloutChange\` (controller \`onChange\`)`, when: 'a rollout promoted' },
  apprentice_flag_changes_total: { setBy: `${RM} \`countFlagChanges\` (\`FlagStore.onChange\`)`, when: 'a flag changed' },
  apprentice_breaker_state: { setBy: '`safety/ops/breaker-board.ts` (collect from the board)', when: "an agent's guard exists" },
  apprentice_breaker_transitions_total: { setBy: '`safety/ops/breaker-board.ts` (state-change listener)', when: 'a breaker changed state' },
  apprentice_breaker_fallbacks_total: { setBy: `${LM} \`onDecision\` (BREAKER_OPEN, labelled with the kinds not closed)`, when: 'a breaker short-circuits a decision' },
  apprentice_bus_published_total: { setBy: RT },
  apprentice_bus_publish_errors_total: { setBy: RT, when: 'publishing fails (Redis down)' },
  apprentice_bus_consumer_lag: { setBy: RT, when: 'a projector runs in this process' },
  apprentice_bus_pending: { setBy: RT, when: 'a projector runs in this process' },
  apprentice_bus_dead_letters_total: { setBy: RT, when: 'an entry is delivered too many times' },
  apprentice_bus_deliveries_total: {
    setBy: `${RT}: the projector's \`delivered\`, \`claimed\`, \`acked\`, \`retried\` and \`trimmed\` counts (\`log/projector/projector.ts\`)`,
    when: 'a projector runs in this process (result="claimed" after a consumer left entries pending, result="retry" while the event store is unreachable, result="trimmed" once its trims removed entries)',
  },
  apprentice_bus_spool_events: { setBy: RT },
  apprentice_bus_spool_bytes: { setBy: RT },
  apprentice_bus_spool_replayed_total: { setBy: RT, when: 'spooled events were replayed' },
  apprentice_bus_connected: { setBy: RT },
  apprentice_bus_dead_letters: { setBy: RT, when: 'the bus reports its dead-letter stream' },
  apprentice_bus_resets_total: { setBy: RT, when: 'the bus forgot its data' },
  apprentice_tier_partitions_total: { setBy: '`installTiering` (`runtime/tiering-job.ts`), after each tiering run', when: 'a scheduled run or `POST /api/v1/admin/tier` tiered (or failed to tier) a partition' },
  apprentice_projector_lag_seconds: { setBy: RT },
  apprentice_projector_events_behind: { setBy: RT },
  apprentice_event_store_appends_total: { setBy: RT, when: 'a projector runs in this process' },
  apprentice_event_store_append_batch_duration_seconds: {
    setBy: '`log/events/sql-event-store.ts` `append` (PostgreSQL and PGlite) through its `onAppend` option, observed in `runtime/create-apprentice.ts`',
    when: 'a batch was appended in this process (the projector, embedded or `apprentice worker`)',
  },
  apprentice_event_store_append_errors_total: { setBy: RT, when: 'an append fails' },
  apprentice_writer_buffer_events: { setBy: RT },
  apprentice_writer_dropped_total: { setBy: `${RT}: the writer's \`droppedClosed\` and \`droppedSpoolError\` counts`, when: 'an event was recorded after close, or the spool refused a batch' },
  apprentice_writer_spilled_total: { setBy: RT, when: 'events were spilled to the spool' },
  apprentice_writer_flush_duration_seconds: { setBy: '`decisions/async-learning-writer.ts` around each batch sent, through its `onFlushed` option, observed in `runtime/create-apprentice.ts`', when: 'the writer flushed a batch' },
  apprentice_cache_hits_total: { setBy: RT, when: 'a cached decision read hit' },
  apprentice_cache_misses_total: { setBy: RT, when: 'a decision read missed the cache' },
  apprentice_bounded_entries: { setBy: BOUNDS },
  apprentice_bounded_capacity: { setBy: BOUNDS },
  apprentice_bounded_evictions_total: { setBy: BOUNDS, when: 'a component reached its bound' },
  apprentice_learner_training_rows_total: { setBy: `${LM} \`onTrainingBatch\` (difference of the training loop's samples per agent)`, when: 'training runs (ML on)' },
  apprentice_learner_training_duration_seconds: { setBy: `${LM} \`onTrainingBatch\` (each batch that trained rows of the agent)`, when: 'training runs (ML on)' },
  apprentice_learner_versions_registered_total: { setBy: `${LM} \`onRegistered\` (\`TrainingLoop.onRegistered\`)`, when: 'the training loop registered a version' },
  apprentice_learner_throttled: { setBy: '`safety/ops/learning-throttle.ts`', when: 'the throttle runs' },
  apprentice_learner_worker_cpu_seconds_total: { setBy: `${LM} at scrape, from the shadow worker pool's stats (\`worker="shadow-pool"\`)`, when: 'the worker pool runs (ML on)' },
  apprentice_learner_worker_heap_bytes: { setBy: `${LM} at scrape: the main thread's heap (\`worker="main"\`), which hosts the training loop` },
  apprentice_learner_worker_restarts_total: { setBy: `${LM} at scrape, from the worker pool's crash, out-of-memory and time-limit counts`, when: 'a pool worker was restarted' },
  apprentice_feature_freshness_seconds: { setBy: '`observability/drift-monitoring/drift-metrics.ts`', when: 'decisions with features' },
  apprentice_feature_completeness_ratio: { setBy: '`observability/drift-monitoring/drift-metrics.ts`', when: 'decisions with features' },
  apprentice_feature_view_freshness_seconds: { setBy: '`runtime/feature-metrics.ts` at scrape, from `FeatureMaterialiser.statuses()`', when: 'a feature view is defined and this instance materialises (roles all and worker) and has caught up once' },
  apprentice_feature_view_completeness_ratio: { setBy: '`runtime/feature-metrics.ts` at scrape, from the reads counted by `FeatureReader` `onRead`', when: 'a decision or API read of a feature view' },
  apprentice_feature_view_reads_total: { setBy: '`runtime/feature-metrics.ts` `onRead` (`FeatureReader`)', when: 'a decision or API read of a feature view' },
  apprentice_feature_view_inputs_applied_total: { setBy: '`runtime/feature-metrics.ts` `onBatch` (`FeatureMaterialiser`)', when: 'a feature view is defined and this instance materialises' },
  apprentice_feature_view_backfill_progress_ratio: { setBy: '`runtime/feature-metrics.ts` at scrape, from `FeatureMaterialiser.statuses()`', when: 'a feature view is defined and this instance materialises' },
  apprentice_feature_store_losses_total: { setBy: '`runtime/feature-metrics.ts` `onLost` (`FeatureMaterialiser`)', when: 'the online store lost a view (Redis restarted empty)' },
  apprentice_feature_drift_score: { setBy: '`observability/drift-monitoring/drift-metrics.ts`', when: 'a drift window closed against a reference' },
  apprentice_feature_drift_detected: { setBy: '`observability/drift-monitoring/drift-metrics.ts`', when: 'a drift window closed against a reference' },
  apprentice_dataset_drift_share: { setBy: '`observability/drift-monitoring/drift-metrics.ts`', when: 'a drift window closed against a reference' },
  apprentice_concept_drift_detected_total: { setBy: '`observability/drift-monitoring/concept-drift.ts` (fed by `runtime/install-drift.ts` with served outcomes)', when: 'a served model version drifted (DriftDetected kind concept)' },
  apprentice_concept_quality_gap: { setBy: '`observability/drift-monitoring/concept-drift.ts` at scrape', when: 'ml-served decisions of label or value agents have outcomes (at least the window minimum)' },
  apprentice_dataset_drift_detected: { setBy: '`observability/drift-monitoring/drift-metrics.ts`', when: 'a drift window closed against a reference' },
  apprentice_http_requests_total: { setBy: '`server/app.ts` (onResponse hook)' },
  apprentice_http_request_duration_seconds: { setBy: '`server/app.ts` (onResponse hook)' },
  apprentice_alerts_received_total: { setBy: '`safety/ops/alert-webhook.ts`', when: 'Alertmanager called the webhook' },
  apprentice_alert_remediations_total: { setBy: '`safety/ops/alert-webhook.ts`', when: 'a received alert has a remediation' },
  apprentice_audit_events_total: { setBy: '`safety/ops/alert-webhook.ts` and `safety/ops/breaker-board.ts`', when: 'a breaker override or an alert remediation was audited' },
  apprentice_ml_performance_impact_ratio: { setBy: '`safety/ops/learning-throttle.ts` (impact probes)', when: 'both probe windows (learning on and off) have decide latencies' },
  apprentice_accuracy_improvement_ratio: {
    setBy: `${LM} at scrape, from \`VersionQuality\`: the production, canary or shadow version against the rules (accuracy, or MAE for numeric outcomes)`,
    when: 'that version and the rules have judged answers',
  },
  apprentice_build_info: { setBy: '`observability/metrics/metrics.ts` `createMetrics`' },
};
