import { EventType } from '../core/index.js';
import type { MonitorReport } from '../observability/index.js';
import { START, type Cursor } from '../log/index.js';
import type { EventStore } from '../log/index.js';
import type { Apprentice } from './create-apprentice.js';
import type { ServerOptions } from './server-context.js';
import { createDriftService, type DriftService } from '../observability/index.js';
import { driftRoutes } from '../observability/index.js';
import type { DriftReference, DriftServiceOptions } from '../observability/index.js';
import { ConceptDriftMonitor, type ConceptDriftDetectedData, type ConceptDriftOptions } from '../observability/index.js';
import { ServedQualityFeed } from '../safety/index.js';

export interface InstallDriftOptions {
  /** Training reference of an agent's served model version. Default: none (first-window references). */
  readonly referenceFor?: (agent: string) => Promise<DriftReference | undefined>;
  /** Called when an agent's dataset-drift state changes: hold (or release) its rollout. */
  readonly onDrift?: (agent: string, report: MonitorReport) => void;
  /**
   * Where to start reading decisions: `'now'` (default; history is not re-judged, so a
   * restart does not repeat old `DriftDetected` events) or `'start'` (replay the log).
   */
  readonly from?: 'now' | 'start';
  /** Store polling interval once caught up. Default 50 ms (the store's default). */
  readonly pollIntervalMs?: number;
  /** Registration-time quality of a model version on the served-score scale (accuracy; −MAE). Default: none. */
  readonly registrationQuality?: (agent: string, version: number) => number | undefined;
  /** Called once per served version that drifts (`DriftDetected` of kind `concept`): hold or roll back its rollout. */
  readonly onConceptDrift?: (agent: string, data: ConceptDriftDetectedData) => void;
  /** Concept drift settings: window (default 100 served outcomes), minOutcomes (30), alpha (0.01), minDrop (0.05). */
  readonly concept?: Pick<ConceptDriftOptions, 'window' | 'minOutcomes' | 'alpha' | 'minDrop' | 'clock' | 'onError'>;
  /** Passed to the service: windowSize (default 1000), reservoirSize, driftShare, maxFeatures, unmonitored (default none), clock, onError. */
  readonly service?: Pick<DriftServiceOptions, 'windowSize' | 'reservoirSize' | 'driftShare' | 'maxFeatures' | 'unmonitored' | 'clock' | 'onError'>;
}

export interface InstalledDrift {
  /** For `buildServer`/`ServeExtension`: `GET /api/v1/drift`. */
  readonly server: ServerOptions;
  readonly service: DriftService;
  /** Concept drift: each outcome of an ml-served decision, model vs rules vs registration. */
  readonly concept: ConceptDriftMonitor;
  /** Unsubscribes from the store and stops feeding the gauges. Idempotent. */
  readonly stop: () => Promise<void>;
}

/**
 * Wire drift monitoring into an apprentice: decisions are read from the event store as they
 * are appended (every process sees every decision, whoever served it), drift and feature
 * quality are exported on `/metrics`, `DriftDetected` events go through the writer. Outcomes of
 * ml-served decisions feed the concept-drift monitor (`DriftDetected` of kind `concept`).
 *
 * @example
 * const drift = await installDrift(apprentice, { onDrift: (agent, r) => r.datasetDrift && rollouts.hold(agent) });
 * const app = await buildServer(apprentice, { routes: [...drift.server.routes ?? []] });
 * await drift.stop();
 */
export async function installDrift(a: Apprentice, options: InstallDriftOptions = {}): Promise<InstalledDrift> {
  const service = createDriftService({
    ...options.service,
    metrics: a.metrics,
    writer: a.writer,
    referenceFor: options.referenceFor ?? (() => Promise.resolve(undefined)),
    ...(options.onDrift ? { onDrift: options.onDrift } : {}),
  });
  const concept = new ConceptDriftMonitor({
    ...options.concept,
    writer: a.writer,
    metrics: a.metrics,
    ...(options.registrationQuality ? { registrationQuality: options.registrationQuality } : {}),
    ...(options.onConceptDrift ? { onConceptDrift: options.onConceptDrift } : {}),
  });
  // Concept drift moves no feature: it is judged on the outcomes of the version actually served.
  const served = new ServedQualityFeed((agent, o) => concept.observe(agent, o));
  const after = options.from === 'start' ? START : await headCursor(a.store);
  const unsubscribe = a.store.subscribe(
    (events) => {
      for (const e of events) {
        if (e.type !== EventType.OutcomeRecorded) service.observe(e);
        if (e.type !== EventType.ModelAliasMoved) served.observe(e);
      }
    },
    {
      after,
      types: [EventType.DecisionMade, EventType.ModelAliasMoved, EventType.OutcomeRecorded],
      ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
    },
  );
  let stopped: Promise<void> | undefined;
  return {
    server: { routes: [driftRoutes(service)] },
    service,
    concept,
    stop() {
      stopped ??= (async () => {
        await unsubscribe();
        service.close();
        concept.close();
      })();
      return stopped;
    },
  };
}

/** The newest visible event (same visibility rule as the store's readers), or the start. */
async function headCursor(store: EventStore): Promise<Cursor> {
  const rows = await store.query<{ t: string; p: string }>(
    `SELECT transaction_id::text AS t, position::text AS p FROM events
      WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY transaction_id DESC, position DESC LIMIT 1`,
  );
  const r = rows[0];
  return r ? { transactionId: BigInt(r.t), position: BigInt(r.p) } : START;
}
