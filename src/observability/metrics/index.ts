// Public API of the monitoring capability (STYLE.md §5, §11).
export { createMetrics, type Metrics, type MetricLabels, type MetricsOptions } from './metrics.js';
export { MetricName, BreakerStateValue, type MetricKey, type MetricNameValue } from './metric-names.js';
export { describeMetrics, type MetricDescription } from './catalogue.js';
export type { MetricType } from './metric-spec.js';
export {
  collectFrom,
  onCollect,
  type CollectFromOptions,
  type Disposer,
  type GaugeGetter,
  type GaugeSample,
} from './collect.js';
export { promqlRefs, type PromqlRefs } from './promql-refs.js';
export { renderMetricsDoc } from './metrics-doc.js';
export { PLAN_METRICS, type PlanMetric } from './plan-mapping.js';
export {
  writeDashboards,
  buildDashboards,
  dashboardJson,
  dashboardSpecs,
} from './dashboards/write-dashboards.js';
export { AGENT_VALUES_QUERY, type DashboardSpec, type PanelSpec } from './dashboards/panels.js';
