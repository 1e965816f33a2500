import { EventType, type NewEvent, type StoredEvent } from '../../../core/index.js';
import { uuidv7 } from '../../../core/index.js';
import type { FlagDefinition } from '../flag-definition.js';

/** Payload of `FlagChanged`: the definition before (null when new) and after (null when deleted). */
export interface FlagChangedData {
  readonly key: string;
  /** 1 for the first definition, +1 per change. */
  readonly version: number;
  readonly before: FlagDefinition | null;
  readonly after: FlagDefinition | null;
}

/** Who changed a flag and why (audit metadata). */
export interface ChangeMeta {
  /** Default `system`. */
  readonly actor?: string;
  readonly reason?: string;
}

export const flagStream = (key: string): string => `flag-${key}`;

/** A flag as every instance caches it. */
export interface StoredFlag {
  readonly key: string;
  readonly version: number;
  readonly definition: FlagDefinition;
  /** Id of the `FlagChanged` event that produced this version (UUIDv7: later ids win). */
  readonly eventId: string;
  readonly updatedAt: string;
  readonly updatedBy: string | undefined;
}

export function flagChangedEvent(data: FlagChangedData, meta: ChangeMeta, now: number): NewEvent<typeof EventType.FlagChanged, FlagChangedData> {
  return {
    id: uuidv7(now),
    type: EventType.FlagChanged,
    stream: flagStream(data.key),
    data,
    metadata: { actor: meta.actor ?? 'system', ...(meta.reason ? { reason: meta.reason } : {}) },
    time: new Date(now).toISOString(),
  };
}

/** The part of a `FlagChanged` event that is distributed between instances. */
export type FlagChangedMessage = Pick<NewEvent<string, FlagChangedData>, 'id' | 'data' | 'metadata' | 'time'>;

export function isFlagChangedMessage(v: unknown): v is FlagChangedMessage {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as { id?: unknown; data?: { key?: unknown; version?: unknown }; time?: unknown };
  return typeof m.id === 'string' && typeof m.time === 'string' && typeof m.data?.key === 'string' && typeof m.data.version === 'number';
}

export const toMessage = (e: NewEvent | StoredEvent): FlagChangedMessage => ({
  id: e.id,
  data: e.data as FlagChangedData,
  metadata: e.metadata,
  time: e.time,
});
