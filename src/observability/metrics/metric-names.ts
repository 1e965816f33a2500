/**
 * Every metric apprentice exports, by name (STYLE.md §11). Prometheus conventions: the
 * `apprentice_` namespace, base units (seconds, bytes, ratios in [0, 1]), `_total` for
 * counters. The keys are the property names of the `Metrics` object returned by
 * `createMetrics`; types, help and label names live in the catalogue (`catalogue-*.ts`).
 */
export const MetricName = {
  // decisions
  decisionsTotal: 'apprentice_decisions_total',
  decisionDurationSeconds: 'apprentice_decision_duration_seconds',
  decisionFallbacksTotal: 'apprentice_decision_fallbacks_total',
  decisionRejectionsTotal: 'apprentice_decision_rejections_total',
  outcomesTotal: 'apprentice_outcomes_total',
  // models and rules
  modelAccuracy: 'apprentice_model_accuracy',
  modelPrecision: 'apprentice_model_precision',
  modelRecall: 'apprentice_model_recall',
  modelF1: 'apprentice_model_f1',
  modelAuc: 'apprentice_model_auc',
  modelMae: 'apprentice_model_mae',
  modelRmse: 'apprentice_model_rmse',
  rulesAccuracy: 'apprentice_rules_accuracy',
  rulesF1: 'apprentice_rules_f1',
  rulesMae: 'apprentice_rules_mae',
  rulesRmse: 'apprentice_rules_rmse',
  modelPredictionDurationSeconds: 'apprentice_model_prediction_duration_seconds',
  modelPredictionErrorsTotal: 'apprentice_model_prediction_errors_total',
  modelLoaded: 'apprentice_model_loaded',
  modelInfo: 'apprentice_model_info',
  // shadow
  shadowPredictionsTotal: 'apprentice_shadow_predictions_total',
  shadowAgreementRatio: 'apprentice_shadow_agreement_ratio',
  shadowDroppedTotal: 'apprentice_shadow_dropped_total',
  shadowQueueDepth: 'apprentice_shadow_queue_depth',
  // experiments and rollouts
  experimentExposuresTotal: 'apprentice_experiment_exposures_total',
  experimentOutcomesTotal: 'apprentice_experiment_outcomes_total',
  experimentOutcomeMean: 'apprentice_experiment_outcome_mean',
  experimentPValue: 'apprentice_experiment_p_value',
  experimentEffect: 'apprentice_experiment_effect',
  experimentSrmPValue: 'apprentice_experiment_srm_p_value',
  experimentSrmMismatch: 'apprentice_experiment_srm_mismatch',
  rolloutTrafficRatio: 'apprentice_rollout_traffic_ratio',
  rolloutState: 'apprentice_rollout_state',
  rolloutAdvancesTotal: 'apprentice_rollout_advances_total',
  rolloutRollbacksTotal: 'apprentice_rollout_rollbacks_total',
  rolloutPromotionsTotal: 'apprentice_rollout_promotions_total',
  flagChangesTotal: 'apprentice_flag_changes_total',
  // exploration and evidence gates (issue 12)
  explorationShare: 'apprentice_exploration_share',
  explorationBudgetRatio: 'apprentice_exploration_budget_ratio',
  opeGatePass: 'apprentice_ope_gate_pass',
  opeEstimate: 'apprentice_ope_estimate',
  opeEffectiveSampleSize: 'apprentice_ope_effective_sample_size',
  rolloutOutcomeCompletenessRatio: 'apprentice_rollout_outcome_completeness_ratio',
  // circuit breakers
  breakerState: 'apprentice_breaker_state',
  breakerTransitionsTotal: 'apprentice_breaker_transitions_total',
  breakerFallbacksTotal: 'apprentice_breaker_fallbacks_total',
  // learning bus
  busPublishedTotal: 'apprentice_bus_published_total',
  busPublishErrorsTotal: 'apprentice_bus_publish_errors_total',
  busConsumerLag: 'apprentice_bus_consumer_lag',
  busPending: 'apprentice_bus_pending',
  busDeadLettersTotal: 'apprentice_bus_dead_letters_total',
  busDeliveriesTotal: 'apprentice_bus_deliveries_total',
  busSpoolEvents: 'apprentice_bus_spool_events',
  busSpoolBytes: 'apprentice_bus_spool_bytes',
  busSpoolReplayedTotal: 'apprentice_bus_spool_replayed_total',
  busConnected: 'apprentice_bus_connected',
  busDeadLetters: 'apprentice_bus_dead_letters',
  busResetsTotal: 'apprentice_bus_resets_total',
  tierPartitionsTotal: 'apprentice_tier_partitions_total',
  projectorLagSeconds: 'apprentice_projector_lag_seconds',
  projectorEventsBehind: 'apprentice_projector_events_behind',
  // event store and projections
  eventStoreAppendsTotal: 'apprentice_event_store_appends_total',
  eventStoreAppendBatchDurationSeconds: 'apprentice_event_store_append_batch_duration_seconds',
  eventStoreAppendErrorsTotal: 'apprentice_event_store_append_errors_total',
  // writer
  writerBufferEvents: 'apprentice_writer_buffer_events',
  writerDroppedTotal: 'apprentice_writer_dropped_total',
  writerSpilledTotal: 'apprentice_writer_spilled_total',
  writerFlushDurationSeconds: 'apprentice_writer_flush_duration_seconds',
  // decision cache
  cacheHitsTotal: 'apprentice_cache_hits_total',
  cacheMissesTotal: 'apprentice_cache_misses_total',
  // bounded in-process caches and waiting maps (issue 15)
  boundedEntries: 'apprentice_bounded_entries',
  boundedCapacity: 'apprentice_bounded_capacity',
  boundedEvictionsTotal: 'apprentice_bounded_evictions_total',
  // learners and their workers
  learnerTrainingRowsTotal: 'apprentice_learner_training_rows_total',
  learnerTrainingDurationSeconds: 'apprentice_learner_training_duration_seconds',
  learnerVersionsRegisteredTotal: 'apprentice_learner_versions_registered_total',
  learnerThrottled: 'apprentice_learner_throttled',
  learnerWorkerCpuSecondsTotal: 'apprentice_learner_worker_cpu_seconds_total',
  learnerWorkerHeapBytes: 'apprentice_learner_worker_heap_bytes',
  learnerWorkerRestartsTotal: 'apprentice_learner_worker_restarts_total',
  // features and drift
  featureFreshnessSeconds: 'apprentice_feature_freshness_seconds',
  featureCompletenessRatio: 'apprentice_feature_completeness_ratio',
  featureDriftScore: 'apprentice_feature_drift_score',
  featureDriftDetected: 'apprentice_feature_drift_detected',
  datasetDriftShare: 'apprentice_dataset_drift_share',
  datasetDriftDetected: 'apprentice_dataset_drift_detected',
  conceptDriftDetectedTotal: 'apprentice_concept_drift_detected_total',
  conceptQualityGap: 'apprentice_concept_quality_gap',
  // feature views: entity features from the log (issue 13)
  featureViewFreshnessSeconds: 'apprentice_feature_view_freshness_seconds',
  featureViewCompletenessRatio: 'apprentice_feature_view_completeness_ratio',
  featureViewReadsTotal: 'apprentice_feature_view_reads_total',
  featureViewInputsAppliedTotal: 'apprentice_feature_view_inputs_applied_total',
  featureViewBackfillProgressRatio: 'apprentice_feature_view_backfill_progress_ratio',
  featureStoreLossesTotal: 'apprentice_feature_store_losses_total',
  // HTTP, alerts, audit
  httpRequestsTotal: 'apprentice_http_requests_total',
  httpRequestDurationSeconds: 'apprentice_http_request_duration_seconds',
  alertsReceivedTotal: 'apprentice_alerts_received_total',
  alertRemediationsTotal: 'apprentice_alert_remediations_total',
  auditEventsTotal: 'apprentice_audit_events_total',
  // business and impact
  mlPerformanceImpactRatio: 'apprentice_ml_performance_impact_ratio',
  accuracyImprovementRatio: 'apprentice_accuracy_improvement_ratio',
  buildInfo: 'apprentice_build_info',
} as const;

export type MetricKey = keyof typeof MetricName;
export type MetricNameValue = (typeof MetricName)[MetricKey];

/** Values of `apprentice_breaker_state`. */
export const BreakerStateValue = { closed: 0, half_open: 1, open: 2 } as const;
export type BreakerStateValue = (typeof BreakerStateValue)[keyof typeof BreakerStateValue];
