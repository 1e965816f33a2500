import { MetricName as M } from '../metric-names.js';
import { AGENT, RATE, stat, timeseries, type DashboardSpec } from './panels.js';

/**
 * What learning is worth: quality gained over the rules, experiment effects, cost on production.
 * No ROI panel: no agent declares a value per outcome and a cost per prediction (docs/metrics.md).
 */
export const mlBusinessMetrics: DashboardSpec = {
  uid: 'apprentice-ml-business-metrics',
  title: 'apprentice / ML Business Metrics',
  description:
    'Accuracy improvement over the rules, experiment effects and production impact.',
  tags: ['business'],
  agentVariable: true,
  panels: [
    stat({
      title: 'Accuracy Improvement',
      description: 'Mean relative quality gain of the models over the rules.',
      queries: [{ expr: `avg(${M.accuracyImprovementRatio}{${AGENT}})` }],
      unit: 'percentunit',
      thresholds: [
        { value: null, color: 'red' },
        { value: 0, color: 'green' },
      ],
    }),
    stat({
      title: 'Production Impact',
      description: 'p99 latency with learning on / off; the target is at most 1.05.',
      queries: [{ expr: `max(${M.mlPerformanceImpactRatio})` }],
      thresholds: [
        { value: null, color: 'green' },
        { value: 1.05, color: 'red' },
      ],
    }),
    stat({
      title: 'Decisions Answered by ML',
      description: 'Decisions served by a model in the selected time range.',
      queries: [{ expr: `sum(increase(${M.decisionsTotal}{${AGENT},source="ml"}[$__range]))` }],
    }),
    timeseries({
      title: 'Accuracy Improvement by Agent',
      description: 'Relative quality gain over the rules per agent (0.2 = 20% better).',
      queries: [{ expr: `${M.accuracyImprovementRatio}{${AGENT}}`, legend: '{{agent}}' }],
      unit: 'percentunit',
    }),
    timeseries({
      title: 'Experiment Effect',
      description: 'Relative effect of ml over deterministic on the primary metric.',
      queries: [{ expr: `${M.experimentEffect}{${AGENT}}`, legend: '{{agent}} {{experiment}}' }],
      unit: 'percentunit',
    }),
    timeseries({
      title: 'ML Share of Decisions',
      description: 'Share of all decisions answered by a model.',
      queries: [
        {
          expr: `sum by (agent) (rate(${M.decisionsTotal}{${AGENT},source="ml"}[${RATE}])) / sum by (agent) (rate(${M.decisionsTotal}{${AGENT}}[${RATE}]))`,
          legend: '{{agent}}',
        },
      ],
      unit: 'percentunit',
      min: 0,
      max: 1,
    }),
    stat({
      title: 'Promotions',
      description: 'Rollouts that reached 100% in the selected range.',
      queries: [{ expr: `sum(increase(${M.rolloutPromotionsTotal}{${AGENT}}[$__range]))` }],
    }),
    stat({
      title: 'Rollbacks',
      description: 'Rollbacks to the rules in the selected range.',
      queries: [{ expr: `sum(increase(${M.rolloutRollbacksTotal}{${AGENT}}[$__range]))` }],
    }),
  ],
};
