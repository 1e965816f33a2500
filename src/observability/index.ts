/**
 * observability — what operators see: the metric catalogue and its prom-client registry,
 * Grafana dashboards as code, Prometheus alert files, and drift (pure measures — KS, χ², PSI,
 * Wasserstein, Jensen–Shannon — and the drift service per agent). Imports core, log, decisions.
 */
export { type AlertFilesWritten, monitoringDir, writeAlertFiles } from './alerts/alert-files.js';
export { driftRoutes } from './drift-monitoring/drift-routes.js';
export { createDriftService, type DriftService } from './drift-monitoring/drift-service.js';
export {
  ConceptDriftMonitor,
  describeConceptDrift,
  type ConceptDriftDetectedData,
  type ConceptDriftOptions,
  type ConceptOutcome,
} from './drift-monitoring/concept-drift.js';
export type { DriftReference, DriftServiceOptions } from './drift-monitoring/types.js';
export type { MonitorReport } from './drift/index.js';
export { buildReference } from './drift/reference.js';
export { describeMetrics } from './metrics/catalogue.js';
export { collectFrom, type Disposer, type GaugeSample, onCollect } from './metrics/collect.js';
export { writeDashboards } from './metrics/dashboards/write-dashboards.js';
export { BreakerStateValue } from './metrics/metric-names.js';
export { createMetrics, type Metrics } from './metrics/metrics.js';
