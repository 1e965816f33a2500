import { MetricName as M } from '../metric-names.js';
import { AGENT, quantile, RATE, stat, timeseries, type DashboardSpec } from './panels.js';

/** The experiments behind the rollouts: exposures, outcomes, statistics, guardrails. */
export const abTestingOverview: DashboardSpec = {
  uid: 'apprentice-ab-testing-overview',
  title: 'apprentice / A/B Testing Overview',
  description: 'Experiments deterministic vs ml: exposures, outcomes, significance, SRM and business impact.',
  tags: ['experiments'],
  agentVariable: true,
  panels: [
    stat({
      title: 'Business Impact',
      description: 'Mean relative effect of ml over deterministic on the primary metric.',
      queries: [{ expr: `avg(${M.experimentEffect}{${AGENT}})` }],
      unit: 'percentunit',
      thresholds: [
        { value: null, color: 'red' },
        { value: 0, color: 'green' },
      ],
    }),
    stat({
      title: 'Exposures',
      description: 'Units exposed to either arm in the selected range.',
      queries: [{ expr: `sum(increase(${M.experimentExposuresTotal}{${AGENT}}[$__range]))` }],
    }),
    stat({
      title: 'Lowest p-value',
      description: 'Smallest p-value among the selected experiments.',
      queries: [{ expr: `min(${M.experimentPValue}{${AGENT}})` }],
      thresholds: [
        { value: null, color: 'green' },
        { value: 0.05, color: 'text' },
      ],
    }),
    stat({
      title: 'SRM Mismatches',
      description: 'Experiments whose exposures do not match the split (results untrustworthy).',
      queries: [{ expr: `sum(${M.experimentSrmMismatch}{${AGENT}}) or vector(0)` }],
      thresholds: [
        { value: null, color: 'green' },
        { value: 1, color: 'red' },
      ],
    }),
    timeseries({
      title: 'Exposures by Variant',
      description: 'Units exposed per second to each arm.',
      queries: [
        {
          expr: `sum by (agent, variant) (rate(${M.experimentExposuresTotal}{${AGENT}}[${RATE}]))`,
          legend: '{{agent}} {{variant}}',
        },
      ],
      unit: 'ops',
    }),
    timeseries({
      title: 'Observed vs Configured ML Share',
      description: 'Share of exposures in the ml arm beside the rollout step.',
      queries: [
        {
          expr: `sum by (agent) (rate(${M.experimentExposuresTotal}{${AGENT},variant="ml"}[${RATE}])) / sum by (agent) (rate(${M.experimentExposuresTotal}{${AGENT}}[${RATE}]))`,
          legend: '{{agent}} observed',
        },
        { expr: `${M.rolloutTrafficRatio}{${AGENT}}`, legend: '{{agent}} configured' },
      ],
      unit: 'percentunit',
      min: 0,
      max: 1,
    }),
    timeseries({
      title: 'Outcome Mean by Variant',
      description: 'Success rate, mean reward or negative error per arm.',
      queries: [{ expr: `${M.experimentOutcomeMean}{${AGENT}}`, legend: '{{agent}} {{variant}}' }],
    }),
    timeseries({
      title: 'Outcomes by Variant',
      description: 'Outcomes attributed per second to each arm.',
      queries: [
        {
          expr: `sum by (agent, variant) (rate(${M.experimentOutcomesTotal}{${AGENT}}[${RATE}]))`,
          legend: '{{agent}} {{variant}}',
        },
      ],
      unit: 'ops',
    }),
    timeseries({
      title: 'p-value',
      description: 'p-value of the primary metric, ml vs deterministic.',
      queries: [{ expr: `${M.experimentPValue}{${AGENT}}`, legend: '{{agent}} {{experiment}}' }],
      min: 0,
      max: 1,
    }),
    timeseries({
      title: 'Effect',
      description: 'Relative effect of ml over deterministic (0.1 = +10%).',
      queries: [{ expr: `${M.experimentEffect}{${AGENT}}`, legend: '{{agent}} {{experiment}}' }],
      unit: 'percentunit',
    }),
    timeseries({
      title: 'SRM p-value',
      description: 'Sample ratio mismatch p-value; the alert fires below 0.001.',
      queries: [{ expr: `${M.experimentSrmPValue}{${AGENT}}`, legend: '{{agent}} {{experiment}}' }],
      min: 0,
      max: 1,
    }),
    timeseries({
      title: 'Decision Latency p95 by Source',
      description: 'Guardrail: p95 decide() latency of rules-answered vs model-answered decisions.',
      queries: [
        { expr: quantile(0.95, M.decisionDurationSeconds, 'agent, source'), legend: '{{agent}} {{source}}' },
      ],
      unit: 's',
    }),
    timeseries({
      title: 'Rollout Steps',
      description: 'Advances, rollbacks and promotions.',
      queries: [
        {
          expr: `sum by (agent) (increase(${M.rolloutAdvancesTotal}{${AGENT}}[${RATE}]))`,
          legend: '{{agent}} advanced',
        },
        {
          expr: `sum by (agent, trigger) (increase(${M.rolloutRollbacksTotal}{${AGENT}}[${RATE}]))`,
          legend: '{{agent}} rolled back ({{trigger}})',
        },
        {
          expr: `sum by (agent) (increase(${M.rolloutPromotionsTotal}{${AGENT}}[${RATE}]))`,
          legend: '{{agent}} promoted',
        },
      ],
    }),
  ],
};
