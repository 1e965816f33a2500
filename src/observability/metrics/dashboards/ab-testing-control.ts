import { BreakerStateValue, MetricName as M } from '../metric-names.js';
import { RATE, stat, timeseries, type DashboardSpec, type PanelSpec } from './panels.js';

/** One value per agent present in Prometheus (the `agent` variable selects which). */
const trafficSplit: PanelSpec =
  stat({
    title: 'Traffic Split',
    description: "Share of each agent's units routed to the ml arm (0% = rules only).",
    queries: [{ expr: `max by (agent) (${M.rolloutTrafficRatio}{agent=~"$agent"})`, legend: '{{agent}}' }],
    unit: 'percentunit',
    min: 0,
    max: 1,
    thresholds: [
      { value: null, color: 'blue' },
      { value: 0.05, color: 'yellow' },
      { value: 1, color: 'green' },
    ],
  });

/** The control room: traffic split per agent, rollout states, breakers, operator actions. */
export const abTestingControl: DashboardSpec = {
  uid: 'apprentice-ab-testing-control',
  title: 'apprentice / A/B Testing Control',
  description:
    'Traffic split of every agent, rollout states, breakers, remediations and audited control actions.',
  tags: ['experiments', 'control'],
  agentVariable: true,
  panels: [
    trafficSplit,
    stat({
      title: 'Open Breakers',
      description: 'Circuit breakers currently open, all agents.',
      queries: [{ expr: `count(${M.breakerState} == ${BreakerStateValue.open}) or vector(0)` }],
      thresholds: [
        { value: null, color: 'green' },
        { value: 1, color: 'red' },
      ],
    }),
    stat({
      title: 'Rolled Back Agents',
      description: 'Agents whose rollout is rolled back.',
      queries: [{ expr: `count(${M.rolloutState}{state="rolled_back"} == 1) or vector(0)` }],
      thresholds: [
        { value: null, color: 'green' },
        { value: 1, color: 'orange' },
      ],
    }),
    stat({
      title: 'Rollbacks (range)',
      description: 'Rollbacks in the selected range, any trigger.',
      queries: [{ expr: `sum(increase(${M.rolloutRollbacksTotal}[$__range])) or vector(0)` }],
    }),
    stat({
      title: 'Promotions (range)',
      description: 'Rollouts promoted in the selected range.',
      queries: [{ expr: `sum(increase(${M.rolloutPromotionsTotal}[$__range])) or vector(0)` }],
    }),
    timeseries({
      title: 'Rollout State',
      description: 'Current state per agent (1 = in this state).',
      queries: [{ expr: `${M.rolloutState} == 1`, legend: '{{agent}} {{state}}' }],
      width: 24,
    }),
    timeseries({
      title: 'Alert Remediations',
      description: 'Automatic actions taken for Alertmanager alerts.',
      queries: [
        {
          expr: `sum by (alertname, action, result) (increase(${M.alertRemediationsTotal}[${RATE}]))`,
          legend: '{{alertname}} {{action}} {{result}}',
        },
      ],
    }),
    timeseries({
      title: 'Control Actions',
      description: 'Audited control actions and flag changes.',
      queries: [
        { expr: `sum by (action) (increase(${M.auditEventsTotal}[${RATE}]))`, legend: '{{action}}' },
        { expr: `sum by (flag) (increase(${M.flagChangesTotal}[${RATE}]))`, legend: 'flag {{flag}}' },
      ],
    }),
  ],
};
