import { EventType, type NewEvent } from '../../core/index.js';
import { uuidv7 } from '../../core/index.js';
import type { DriftMethod, MonitorReport } from '../drift/index.js';
import type { AgentDriftStatus } from './types.js';

/** Per-feature verdict as recorded in a `DriftDetected` event. */
export interface DriftFeatureVerdict {
  readonly method: DriftMethod;
  readonly statistic: number;
  readonly pValue: number | null;
  readonly threshold: number;
  readonly drifted: boolean;
  readonly psi: number | null;
  readonly referenceSize: number;
  readonly currentSize: number;
}

/** Payload of `DriftDetected`: the agent's dataset-drift state changed on a closed window. */
export interface DriftDetectedData {
  readonly agent: string;
  /** Feature (dataset) drift; concept drift events carry `ConceptDriftDetectedData` instead. */
  readonly kind: 'feature';
  readonly before: { readonly datasetDrift: boolean };
  readonly after: { readonly datasetDrift: boolean };
  /** Share of evaluated features that drifted, and the threshold it is compared with. */
  readonly share: number;
  readonly driftShare: number;
  readonly driftedCount: number;
  readonly featureCount: number;
  readonly skipped: readonly string[];
  readonly windowIndex: number;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly reference: AgentDriftStatus['reference'];
  readonly features: Readonly<Record<string, DriftFeatureVerdict>>;
}

/** Stream of an agent's drift events. */
export const driftStream = (agent: string): string => `drift-${agent}`;

const finite = (x: number | undefined): number | null => (x === undefined || !Number.isFinite(x) ? null : x);

/** The `DriftDetected` event for a change of `agent`'s dataset-drift state to `report.datasetDrift`. */
export function driftDetectedEvent(
  agent: string,
  report: MonitorReport,
  reference: AgentDriftStatus['reference'],
  now: number,
): NewEvent<typeof EventType.DriftDetected, DriftDetectedData> {
  const features: Record<string, DriftFeatureVerdict> = {};
  for (const [name, r] of Object.entries(report.features)) {
    features[name] = {
      method: r.method,
      statistic: r.statistic,
      pValue: finite(r.pValue),
      threshold: r.threshold,
      drifted: r.drifted,
      psi: finite(r.psi),
      referenceSize: r.referenceSize,
      currentSize: r.currentSize,
    };
  }
  const drift = report.datasetDrift;
  return {
    id: uuidv7(now),
    type: EventType.DriftDetected,
    stream: driftStream(agent),
    data: {
      agent,
      kind: 'feature',
      before: { datasetDrift: !drift },
      after: { datasetDrift: drift },
      share: report.share,
      driftShare: report.driftShare,
      driftedCount: report.driftedCount,
      featureCount: report.featureCount,
      skipped: report.skipped,
      windowIndex: report.windowIndex,
      windowStart: new Date(report.windowStart).toISOString(),
      windowEnd: new Date(report.windowEnd).toISOString(),
      reference,
      features,
    },
    metadata: {
      actor: 'drift-monitor',
      reason: drift
        ? `dataset drift: ${report.driftedCount} of ${report.featureCount} features drifted (share ${report.share.toFixed(2)} ≥ ${report.driftShare})`
        : `dataset drift cleared: ${report.driftedCount} of ${report.featureCount} features drifted (share ${report.share.toFixed(2)} < ${report.driftShare})`,
    },
    time: new Date(now).toISOString(),
  };
}
