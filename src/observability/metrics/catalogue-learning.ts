import { BACKGROUND_BUCKETS, counter, gauge, histogram, HOT_PATH_BUCKETS } from './metric-spec.js';

/**
 * Metrics of the decision path and of learning: decisions, models and rules, shadow,
 * experiments and rollouts, breakers, learners, features, business impact.
 * Keys match `MetricName`.
 */
export const learningCatalogue = {
  decisionsTotal: counter(
    'Decisions returned, by the arm the unit was bucketed into, who answered and why.',
    ['agent', 'source', 'variant', 'reason'],
  ),
  decisionDurationSeconds: histogram(
    'Time spent in decide(), from validated input to returned decision.',
    ['agent', 'source'],
    HOT_PATH_BUCKETS,
  ),
  decisionFallbacksTotal: counter(
    'Decisions of the ml arm answered by the deterministic policy (reason: BREAKER_OPEN, TIMEOUT, MODEL_ERROR, NO_MODEL, ...).',
    ['agent', 'reason'],
  ),
  decisionRejectionsTotal: counter(
    'Decide requests rejected before deciding (invalid input, unknown agent).',
    ['agent', 'code'],
  ),
  outcomesTotal: counter('Outcomes recorded for earlier decisions.', ['agent', 'kind']),

  modelAccuracy: gauge('Accuracy of a model version on the outcomes of its served and shadow answers (recent 500; label outcomes only).', [
    'agent',
    'version',
  ]),
  modelPrecision: gauge('Precision (macro) of a model version on the outcomes of its answers (recent 500; label outcomes only).', [
    'agent',
    'version',
  ]),
  modelRecall: gauge('Recall (macro) of a model version on the outcomes of its answers (recent 500; label outcomes only).', [
    'agent',
    'version',
  ]),
  modelF1: gauge('F1 (macro) of a model version on the outcomes of its answers (recent 500; label outcomes only).', ['agent', 'version']),
  modelAuc: gauge(
    'ROC AUC of a classification model version on live outcomes: the class probabilities of its shadow predictions ranked against the labels (recent 500; binary: the greater label is positive; more classes: one-vs-rest macro).',
    ['agent', 'version'],
  ),
  modelMae: gauge(
    'Mean absolute error of a model version on the outcomes of its answers (recent 500; numeric outcomes only, label units).',
    ['agent', 'version'],
  ),
  modelRmse: gauge(
    'Root mean squared error of a model version on the outcomes of its answers (recent 500; numeric outcomes only, label units).',
    ['agent', 'version'],
  ),
  rulesAccuracy: gauge('Accuracy of the deterministic policy on the outcomes of its logged answers (recent 500; label outcomes only).', ['agent']),
  rulesF1: gauge('F1 (macro) of the deterministic policy on the outcomes of its logged answers (recent 500; label outcomes only).', ['agent']),
  rulesMae: gauge('Mean absolute error of the deterministic policy on the outcomes of its answers (recent 500; numeric outcomes only).', ['agent']),
  rulesRmse: gauge('Root mean squared error of the deterministic policy on the outcomes of its answers (recent 500; numeric outcomes only).', ['agent']),
  modelPredictionDurationSeconds: histogram(
    'Model inference time; path is served (hot path) or shadow (worker).',
    ['agent', 'path'],
    HOT_PATH_BUCKETS,
  ),
  modelPredictionErrorsTotal: counter(
    'Model predictions that failed (kind: error, timeout, invalid_output).',
    ['agent', 'kind'],
  ),
  modelLoaded: gauge('1 when a model for the alias is loaded in this process, else 0.', ['agent', 'alias']),
  modelInfo: gauge('Always 1; labels name the version an alias points at.', [
    'agent',
    'alias',
    'version',
    'learner',
  ]),

  shadowPredictionsTotal: counter('Shadow predictions compared with the served answer.', ['agent']),
  shadowAgreementRatio: gauge('Share of recent shadow predictions equal to the served answer.', ['agent']),
  shadowDroppedTotal: counter('Shadow jobs shed under pressure (reason: queue_full, throttled, closed).', [
    'agent',
    'reason',
  ]),
  shadowQueueDepth: gauge('Shadow jobs waiting for a worker.', []),

  experimentExposuresTotal: counter('Decisions served by an experiment arm while a rollout step runs.', ['agent', 'variant']),
  experimentOutcomesTotal: counter('Outcomes of decisions of an experiment arm while a rollout step runs.', ['agent', 'variant']),
  experimentOutcomeMean: gauge('Mean outcome score per arm of the running step (success rate, reward or negative error).', [
    'agent',
    'variant',
  ]),
  experimentPValue: gauge('Always-valid p-value of the primary metric, ml vs deterministic (running step with enough outcomes per arm).', ['agent', 'experiment']),
  experimentEffect: gauge('Relative effect of ml over deterministic on the primary metric (0.1 = +10%; running step with enough outcomes).', [
    'agent',
    'experiment',
  ]),
  experimentSrmPValue: gauge('Sample ratio mismatch chi-square p-value of the running step.', ['agent', 'experiment']),
  experimentSrmMismatch: gauge('1 when the SRM check of the running step failed, else 0.', ['agent', 'experiment']),
  rolloutTrafficRatio: gauge('Share of units routed to the ml arm (0.05 = the 5% step).', ['agent']),
  rolloutState: gauge(
    '1 for the current rollout state of the agent (shadow, canary, promoted, paused, rolled_back), 0 for others.',
    ['agent', 'state'],
  ),
  rolloutAdvancesTotal: counter('Rollout steps advanced.', ['agent']),
  rolloutRollbacksTotal: counter(
    'Rollbacks to the deterministic policy (trigger: breaker, guardrail, alert, operator, emergency).',
    ['agent', 'trigger'],
  ),
  rolloutPromotionsTotal: counter('Rollouts that reached 100% and promoted the model.', ['agent']),
  flagChangesTotal: counter('Flag definitions changed (source: api, controller, sync).', ['flag', 'source']),
  explorationShare: gauge('Share of a reward agent\'s decisions that served an action other than the greedy one (never above its budget).', ['agent']),
  explorationBudgetRatio: gauge('Exploration budget of a reward agent (most decisions that may explore).', ['agent']),
  opeGatePass: gauge('1 when the off-policy evaluation gate lets the agent\'s shadow candidate leave shadow, 0 when it holds it.', ['agent']),
  opeEstimate: gauge(
    'Off-policy evaluation of the shadow candidate (value: dr = doubly-robust estimate, lower/upper = its interval, served = the served policy\'s observed value), in reward units.',
    ['agent', 'value'],
  ),
  opeEffectiveSampleSize: gauge('Effective sample size of the importance weights behind the OPE gate.', ['agent']),
  rolloutOutcomeCompletenessRatio: gauge('Expected share of the running step\'s eventual outcomes that are in (least complete arm); the step is judged at the policy\'s minOutcomeCompleteness.', ['agent']),

  breakerState: gauge('Circuit breaker state: 0 closed, 1 half-open, 2 open.', ['agent', 'kind']),
  breakerTransitionsTotal: counter('Circuit breaker state transitions.', ['agent', 'kind', 'from', 'to']),
  breakerFallbacksTotal: counter('Calls short-circuited by an open breaker.', ['agent', 'kind']),

  learnerTrainingRowsTotal: counter('Training rows consumed by learners.', ['agent']),
  learnerTrainingDurationSeconds: histogram('Time to train one batch.', ['agent'], BACKGROUND_BUCKETS),
  learnerVersionsRegisteredTotal: counter('Model versions registered by learners.', ['agent']),
  learnerThrottled: gauge('1 while the learner worker throttles itself because of event-loop pressure.', [
    'worker',
  ]),
  learnerWorkerCpuSecondsTotal: counter('CPU time used by a learner worker thread.', ['worker']),
  learnerWorkerHeapBytes: gauge('Heap used by a learner worker thread.', ['worker']),
  learnerWorkerRestartsTotal: counter('Learner worker restarts (reason: crash, oom, limit).', [
    'worker',
    'reason',
  ]),

  featureFreshnessSeconds: gauge('Age of the newest value of a feature.', ['agent', 'feature']),
  featureCompletenessRatio: gauge('Share of recent decisions in which the feature was present.', [
    'agent',
    'feature',
  ]),
  featureDriftScore: gauge('Drift statistic of a feature, reference vs current window.', [
    'agent',
    'feature',
    'method',
  ]),
  featureDriftDetected: gauge('1 when the drift test of the feature fired, else 0.', ['agent', 'feature']),
  datasetDriftShare: gauge('Share of the agent features that drifted.', ['agent']),
  datasetDriftDetected: gauge('1 when the dataset drift share crossed its threshold, else 0.', ['agent']),
  conceptDriftDetectedTotal: counter('Concept drift detections: the served model version significantly worse than its registration-time quality or than the rules on the same outcomes.', ['agent']),
  conceptQualityGap: gauge('Rolling quality of the served model version minus the reference (rules: the rules on the same outcomes; registration: its registration-time quality). Negative = the model is worse. Set once the window has its minimum outcomes.', [
    'agent',
    'reference',
  ]),

  featureViewFreshnessSeconds: gauge("Seconds since the feature view's materialiser last caught up with the event log (where the materialiser runs).", ['view']),
  featureViewCompletenessRatio: gauge('Share of online feature reads of the view served fresh since the previous scrape (stale and missing reads count against it).', ['view']),
  featureViewReadsTotal: counter('Online feature reads by view and how they were served (fresh, stale, missing).', ['view', 'status']),
  featureViewInputsAppliedTotal: counter('Inputs (events) applied to a feature view by the materialiser, backfill included.', ['view']),
  featureViewBackfillProgressRatio: gauge("Progress of a view's backfill from the log in [0, 1]; 1 once the view is live.", ['view']),
  featureStoreLossesTotal: counter("Times the online store was found to have lost a view's state (Redis restarted empty), each followed by a rebuild from the log.", ['view']),

  mlPerformanceImpactRatio: gauge(
    'p99 decision latency with shadow+learning on divided by off (target <= 1.05).',
    [],
  ),
  accuracyImprovementRatio: gauge('Relative quality gain of the production (else canary, else shadow) version over the rules on live outcomes (0.2 = 20% better).', [
    'agent',
  ]),
} as const;
