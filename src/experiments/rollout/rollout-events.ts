import { EventType, type NewEvent } from '../../core/index.js';
import { uuidv7 } from '../../core/index.js';
import type { RolloutState } from './rollout-state.js';

/** Payload of `RolloutStepChanged`. */
export interface RolloutStepChangedData {
  readonly agent: string;
  /** 1 for the first change of this agent's rollout, +1 per change. */
  readonly version: number;
  readonly before: RolloutState;
  readonly after: RolloutState;
  /** `advance`, `rollback`, `pause`, `resume`. */
  readonly command: string;
  /** The verdict's evidence when the controller acted (effect, CI, p-value...). */
  readonly evidence?: Readonly<Record<string, unknown>> | undefined;
}

/** Payload of `EmergencyRollback`: every agent's ML percentage before. */
export interface EmergencyRollbackData {
  readonly before: Readonly<Record<string, number>>;
}

export const rolloutStream = (agent: string): string => `rollout-${agent}`;
export const EMERGENCY_STREAM = 'rollout-emergency';

export interface AuditMeta {
  readonly actor: string;
  readonly reason?: string | undefined;
  readonly correlationId?: string | undefined;
}

const metadataOf = (m: AuditMeta): NewEvent['metadata'] => ({
  actor: m.actor,
  ...(m.reason ? { reason: m.reason } : {}),
  ...(m.correlationId ? { correlationId: m.correlationId } : {}),
});

export function rolloutStepChangedEvent(data: RolloutStepChangedData, meta: AuditMeta, now: number): NewEvent<typeof EventType.RolloutStepChanged, RolloutStepChangedData> {
  return { id: uuidv7(now), type: EventType.RolloutStepChanged, stream: rolloutStream(data.agent), data, metadata: metadataOf(meta), time: new Date(now).toISOString() };
}

export function emergencyRollbackEvent(data: EmergencyRollbackData, meta: AuditMeta, now: number): NewEvent<typeof EventType.EmergencyRollback, EmergencyRollbackData> {
  return { id: uuidv7(now), type: EventType.EmergencyRollback, stream: EMERGENCY_STREAM, data, metadata: metadataOf(meta), time: new Date(now).toISOString() };
}
