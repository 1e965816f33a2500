import { ValidationError } from '../../core/index.js';
import { EventType, type DecisionData, type NewEvent } from '../../core/index.js';
import type { MonitorReport, WindowFootprint } from '../drift/index.js';
import { AgentDrift, type AgentDriftSettings } from './agent-drift.js';
import { driftDetectedEvent } from './drift-event.js';
import { wireDriftMetrics } from './drift-metrics.js';
import type { AgentDriftStatus, DriftReference, DriftServiceOptions } from './types.js';

export interface DriftService {
  /**
   * Feeds one event. `DecisionMade` events are observed (their `data.features`); a
   * `ModelAliasMoved` event re-pulls the agent's reference; other events are ignored.
   * Synchronous and cheap: safe in a writer's `onRecord` or a store subscription.
   */
  observe(event: Pick<NewEvent, 'type' | 'data'>): void;
  /** Compares `agent`'s decisions with this training reference from now on. */
  setReference(agent: string, reference: DriftReference): void;
  /** Asks `referenceFor(agent)` again (the served model version changed). Resolves once applied. */
  refreshReference(agent: string): Promise<void>;
  /** Dataset drift on `agent`'s last closed window: a guardrail for rollouts. */
  isDrifting(agent: string): boolean;
  status(agent: string): AgentDriftStatus | undefined;
  statuses(): AgentDriftStatus[];
  /** Sketch sizes of `agent`'s features (bounded: they never grow with observations). */
  footprint(agent: string): Record<string, WindowFootprint> | undefined;
  /** Stops feeding the gauges. Idempotent. */
  close(): void;
}

interface Pull {
  running: Promise<void> | undefined;
  /** Pulls asked for while one was running. */
  again: boolean;
}

/**
 * Drift monitoring of every agent's decision features: one constant-memory monitor per
 * agent, references from the training data of the served model version (or the first full
 * window until there is one), drift and feature quality exported as gauges at scrape time,
 * and a `DriftDetected` event plus `onDrift` when an agent's dataset-drift state changes.
 *
 * @example
 * const drift = createDriftService({ metrics: a.metrics, writer: a.writer, referenceFor: (agent) => registry.trainingReference(agent) });
 * a.store.subscribe((events) => events.forEach((e) => drift.observe(e)), { types: ['DecisionMade'] });
 * if (drift.isDrifting('reviewer')) rollout.hold('reviewer');
 */
export function createDriftService(options: DriftServiceOptions): DriftService {
  const settings: AgentDriftSettings = {
    windowSize: options.windowSize ?? 1000,
    reservoirSize: options.reservoirSize ?? 1000,
    driftShare: options.driftShare ?? 0.5,
    maxFeatures: options.maxFeatures ?? 1000,
    now: options.clock ?? Date.now,
  };
  const positiveInt = (path: string, v: number) => (Number.isInteger(v) && v >= 1 ? [] : [{ path, message: 'must be an integer ≥ 1' }]);
  const issues = [
    ...positiveInt('windowSize', settings.windowSize),
    ...positiveInt('reservoirSize', settings.reservoirSize),
    ...positiveInt('maxFeatures', settings.maxFeatures),
    ...(settings.driftShare > 0 && settings.driftShare <= 1 ? [] : [{ path: 'driftShare', message: 'must be in (0, 1]' }]),
  ];
  if (issues.length > 0) throw new ValidationError('invalid drift service options', issues);

  const onError = options.onError ?? (() => undefined);
  const agents = new Map<string, AgentDrift>();
  const pulls = new Map<string, Pull>();
  let closed = false;

  const pull = (agent: string): Promise<void> => {
    let p = pulls.get(agent);
    if (p === undefined) pulls.set(agent, (p = { running: undefined, again: false }));
    const state = p;
    if (state.running) {
      state.again = true;
      return state.running;
    }
    const run = async (): Promise<void> => {
      do {
        state.again = false;
        try {
          const ref = await options.referenceFor(agent);
          if (ref !== undefined && Object.keys(ref.features).length > 0) setReference(agent, ref);
        } catch (error) {
          onError(error);
        }
      } while (state.again);
      state.running = undefined;
    };
    return (state.running = run());
  };

  const agentOf = (agent: string): AgentDrift => {
    let a = agents.get(agent);
    if (a === undefined) {
      agents.set(agent, (a = new AgentDrift(agent, settings, new Set(options.unmonitored?.(agent) ?? []))));
      void pull(agent);
    }
    return a;
  };

  const setReference = (agent: string, reference: DriftReference): void => {
    if (Object.keys(reference.features).length === 0) {
      throw new ValidationError('a drift reference needs at least one feature', [{ path: 'features', message: 'empty' }]);
    }
    agentOf(agent).setReference(reference);
  };

  const closedWindow = (a: AgentDrift, report: MonitorReport): void => {
    if (!a.settle(report)) return;
    options.writer.record(driftDetectedEvent(a.agent, report, a.status().reference, settings.now()));
    try {
      options.onDrift?.(a.agent, report);
    } catch (error) {
      onError(error);
    }
  };

  const observeDecision = (data: DecisionData): void => {
    if (typeof data.agent !== 'string') return;
    const a = agentOf(data.agent);
    const version = typeof data.modelVersion === 'number' ? data.modelVersion : undefined;
    if (version !== undefined && version !== a.servedVersion) {
      // First sight is pulled by agentOf; a later change of the served version re-pulls.
      if (a.servedVersion !== undefined) void pull(data.agent);
      a.servedVersion = version;
    }
    const report = a.observe(data.features ?? undefined);
    if (report) closedWindow(a, report);
  };

  const unwire = wireDriftMetrics(options.metrics, () => agents.values(), onError);

  return {
    observe(event) {
      if (event.type === EventType.DecisionMade) observeDecision(event.data as DecisionData);
      else if (event.type === EventType.ModelAliasMoved) {
        const agent = (event.data as { agent?: unknown }).agent;
        if (typeof agent === 'string' && agents.has(agent)) void pull(agent);
      }
    },
    setReference,
    refreshReference: (agent) => {
      if (agents.has(agent)) return pull(agent);
      agentOf(agent); // first sight starts the pull
      return pulls.get(agent)?.running ?? Promise.resolve();
    },
    isDrifting: (agent) => agents.get(agent)?.drifting ?? false,
    status: (agent) => agents.get(agent)?.status(),
    statuses: () => [...agents.values()].map((a) => a.status()),
    footprint: (agent) => agents.get(agent)?.monitor?.footprint(),
    close() {
      if (closed) return;
      closed = true;
      unwire();
    },
  };
}
