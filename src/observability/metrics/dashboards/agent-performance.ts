import { BreakerStateValue, MetricName as M } from '../metric-names.js';
import { AGENT, quantile, RATE, stat, timeseries, type DashboardSpec } from './panels.js';

const ML_SHARE = `sum(rate(${M.decisionsTotal}{${AGENT},source="ml"}[${RATE}])) / sum(rate(${M.decisionsTotal}{${AGENT}}[${RATE}]))`;

/** Decisions of each agent: volume, who answered, latency, fallbacks, breakers. */
export const agentPerformance: DashboardSpec = {
  uid: 'apprentice-agent-performance',
  title: 'apprentice / Agent Performance',
  description: 'Per-agent decision traffic, latency, fallbacks, breakers and outcomes.',
  tags: ['agents'],
  agentVariable: true,
  panels: [
    stat({
      title: 'Decisions per Second',
      description: 'All decisions of the selected agents.',
      queries: [{ expr: `sum(rate(${M.decisionsTotal}{${AGENT}}[${RATE}]))` }],
      unit: 'ops',
    }),
    stat({
      title: 'Answered by ML',
      description: 'Share of decisions whose served answer came from the model.',
      queries: [{ expr: ML_SHARE }],
      unit: 'percentunit',
    }),
    stat({
      title: 'Open Breakers',
      description: 'Circuit breakers currently open.',
      queries: [{ expr: `count(${M.breakerState}{${AGENT}} == ${BreakerStateValue.open}) or vector(0)` }],
      thresholds: [
        { value: null, color: 'green' },
        { value: 1, color: 'red' },
      ],
    }),
    stat({
      title: 'Accuracy Improvement',
      description: 'Relative quality gain of the model over the rules, averaged over the selected agents.',
      queries: [{ expr: `avg(${M.accuracyImprovementRatio}{${AGENT}})` }],
      unit: 'percentunit',
    }),
    timeseries({
      title: 'Decisions by Source',
      description: 'Decisions per second by agent and by who answered (deterministic or ml).',
      queries: [
        {
          expr: `sum by (agent, source) (rate(${M.decisionsTotal}{${AGENT}}[${RATE}]))`,
          legend: '{{agent}} {{source}}',
        },
      ],
      unit: 'ops',
    }),
    timeseries({
      title: 'Decision Latency',
      description: 'p50, p95 and p99 of decide() per agent.',
      queries: [0.5, 0.95, 0.99].map((q) => ({
        expr: quantile(q, M.decisionDurationSeconds, 'agent'),
        legend: `{{agent}} p${Math.round(q * 100)}`,
      })),
      unit: 's',
    }),
    timeseries({
      title: 'Fallback Rate',
      description: 'Share of ml-arm decisions answered by the rules; the alert fires at 5%.',
      queries: [
        {
          expr: `sum by (agent) (rate(${M.decisionFallbacksTotal}{${AGENT}}[${RATE}])) / sum by (agent) (rate(${M.decisionsTotal}{${AGENT},variant="ml"}[${RATE}]))`,
          legend: '{{agent}}',
        },
      ],
      unit: 'percentunit',
    }),
    timeseries({
      title: 'Fallbacks by Reason',
      description: 'Why the model did not answer: BREAKER_OPEN, TIMEOUT, MODEL_ERROR, NO_MODEL...',
      queries: [
        {
          expr: `sum by (agent, reason) (rate(${M.decisionFallbacksTotal}{${AGENT}}[${RATE}]))`,
          legend: '{{agent}} {{reason}}',
        },
      ],
      unit: 'ops',
    }),
    timeseries({
      title: 'Breaker State',
      description: '0 closed, 1 half-open, 2 open, per agent and breaker kind.',
      queries: [{ expr: `max by (agent, kind) (${M.breakerState}{${AGENT}})`, legend: '{{agent}} {{kind}}' }],
      min: 0,
      max: 2,
    }),
    timeseries({
      title: 'Rollout Traffic',
      description: 'Share of units routed to the ml arm.',
      queries: [{ expr: `${M.rolloutTrafficRatio}{${AGENT}}`, legend: '{{agent}}' }],
      unit: 'percentunit',
      min: 0,
      max: 1,
    }),
    timeseries({
      title: 'Outcomes',
      description: 'Outcomes recorded per second by kind (implicit, explicit, correction).',
      queries: [
        {
          expr: `sum by (agent, kind) (rate(${M.outcomesTotal}{${AGENT}}[${RATE}]))`,
          legend: '{{agent}} {{kind}}',
        },
      ],
      unit: 'ops',
    }),
    timeseries({
      title: 'Rejected Requests',
      description: 'Decide requests rejected before deciding, by error code.',
      queries: [
        {
          expr: `sum by (agent, code) (rate(${M.decisionRejectionsTotal}{${AGENT}}[${RATE}]))`,
          legend: '{{agent}} {{code}}',
        },
      ],
      unit: 'ops',
    }),
  ],
};
