import { MetricName as M } from '../metric-names.js';
import { AGENT, quantile, RATE, stat, timeseries, type DashboardSpec } from './panels.js';

/** Model quality, shadow comparison, drift and features — the ML engineer's view. */
export const mlOperations: DashboardSpec = {
  uid: 'apprentice-ml-operations',
  title: 'apprentice / ML Operations',
  description: 'Model quality against the rules, shadow agreement, drift and feature health per agent.',
  tags: ['ml'],
  agentVariable: true,
  panels: [
    timeseries({
      title: 'Model Accuracy',
      description: 'Progressive-validation accuracy of every model version (apprentice_model_accuracy).',
      queries: [
        { expr: `max by (agent, version) (${M.modelAccuracy}{${AGENT}})`, legend: '{{agent}} v{{version}}' },
      ],
      unit: 'percentunit',
      min: 0,
      max: 1,
    }),
    timeseries({
      title: 'Serving Model vs Rules Accuracy',
      description: 'Accuracy of the version behind canary/production beside the deterministic policy.',
      queries: [
        { expr: `apprentice:model_serving_accuracy{${AGENT}}`, legend: '{{agent}} model v{{version}}' },
        { expr: `${M.rulesAccuracy}{${AGENT}}`, legend: '{{agent}} rules' },
      ],
      unit: 'percentunit',
      min: 0,
      max: 1,
    }),
    timeseries({
      title: 'Precision, Recall, F1',
      description: 'Macro-averaged classification quality per model version.',
      queries: [
        { expr: `${M.modelPrecision}{${AGENT}}`, legend: '{{agent}} v{{version}} precision' },
        { expr: `${M.modelRecall}{${AGENT}}`, legend: '{{agent}} v{{version}} recall' },
        { expr: `${M.modelF1}{${AGENT}}`, legend: '{{agent}} v{{version}} F1' },
      ],
      unit: 'percentunit',
      min: 0,
      max: 1,
    }),
    timeseries({
      title: 'ROC AUC',
      description: 'Ranking quality of classification models.',
      queries: [{ expr: `${M.modelAuc}{${AGENT}}`, legend: '{{agent}} v{{version}}' }],
      unit: 'percentunit',
      min: 0,
      max: 1,
    }),
    timeseries({
      title: 'Regression Error (MAE)',
      description: 'Mean absolute error of regression models beside the rules (lower is better).',
      queries: [
        { expr: `${M.modelMae}{${AGENT}}`, legend: '{{agent}} model v{{version}}' },
        { expr: `${M.rulesMae}{${AGENT}}`, legend: '{{agent}} rules' },
      ],
    }),
    timeseries({
      title: 'Regression Error (RMSE)',
      description: 'Root mean squared error of regression models beside the rules.',
      queries: [
        { expr: `${M.modelRmse}{${AGENT}}`, legend: '{{agent}} model v{{version}}' },
        { expr: `${M.rulesRmse}{${AGENT}}`, legend: '{{agent}} rules' },
      ],
    }),
    timeseries({
      title: 'Prediction Latency p95',
      description: 'Model inference time on the hot path (served) and in shadow workers.',
      queries: [
        {
          expr: quantile(0.95, M.modelPredictionDurationSeconds, 'agent, path'),
          legend: '{{agent}} {{path}}',
        },
      ],
      unit: 's',
    }),
    timeseries({
      title: 'Prediction Errors',
      description: 'Failed predictions per second by kind (error, timeout, invalid_output).',
      queries: [
        {
          expr: `sum by (agent, kind) (rate(${M.modelPredictionErrorsTotal}{${AGENT}}[${RATE}]))`,
          legend: '{{agent}} {{kind}}',
        },
      ],
      unit: 'ops',
    }),
    timeseries({
      title: 'Shadow Agreement',
      description: 'Share of shadow predictions equal to the served answer.',
      queries: [{ expr: `${M.shadowAgreementRatio}{${AGENT}}`, legend: '{{agent}}' }],
      unit: 'percentunit',
      min: 0,
      max: 1,
    }),
    timeseries({
      title: 'Shadow Predictions and Drops',
      description: 'Shadow predictions per second and jobs shed under pressure.',
      queries: [
        {
          expr: `sum by (agent) (rate(${M.shadowPredictionsTotal}{${AGENT}}[${RATE}]))`,
          legend: '{{agent}} predicted',
        },
        {
          expr: `sum by (agent) (rate(${M.shadowDroppedTotal}{${AGENT}}[${RATE}]))`,
          legend: '{{agent}} dropped',
        },
      ],
      unit: 'ops',
    }),
    timeseries({
      title: 'Feature Drift Score',
      description: 'Drift statistic per feature (method in the legend).',
      queries: [
        {
          expr: `max by (agent, feature, method) (${M.featureDriftScore}{${AGENT}})`,
          legend: '{{agent}} {{feature}} ({{method}})',
        },
      ],
    }),
    timeseries({
      title: 'Dataset Drift Share',
      description: 'Share of features that drifted; the alert fires at 0.5.',
      queries: [{ expr: `${M.datasetDriftShare}{${AGENT}}`, legend: '{{agent}}' }],
      unit: 'percentunit',
      min: 0,
      max: 1,
    }),
    timeseries({
      title: 'Feature Freshness',
      description: 'Age of the newest value per feature; the alert fires above one hour.',
      queries: [
        {
          expr: `max by (agent, feature) (${M.featureFreshnessSeconds}{${AGENT}})`,
          legend: '{{agent}} {{feature}}',
        },
      ],
      unit: 's',
    }),
    timeseries({
      title: 'Feature Completeness',
      description: 'Share of decisions in which each feature was present.',
      queries: [
        {
          expr: `min by (agent, feature) (${M.featureCompletenessRatio}{${AGENT}})`,
          legend: '{{agent}} {{feature}}',
        },
      ],
      unit: 'percentunit',
      min: 0,
      max: 1,
    }),
    timeseries({
      title: 'Training Rows',
      description: 'Rows consumed by learners per second.',
      queries: [
        {
          expr: `sum by (agent) (rate(${M.learnerTrainingRowsTotal}{${AGENT}}[${RATE}]))`,
          legend: '{{agent}}',
        },
      ],
      unit: 'ops',
    }),
    stat({
      title: 'Models Loaded',
      description: 'Model aliases loaded in the serving processes.',
      queries: [{ expr: `sum(${M.modelLoaded}{${AGENT}})` }],
    }),
    stat({
      title: 'Versions Registered',
      description: 'Model versions registered by learners in the selected range.',
      queries: [{ expr: `sum(increase(${M.learnerVersionsRegisteredTotal}{${AGENT}}[$__range]))` }],
    }),
  ],
};
