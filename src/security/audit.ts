import { EventType, type StoredEvent } from '../core/index.js';
import { NotFoundError } from '../core/index.js';
import { START, type Cursor, type EventStore } from '../log/index.js';

/** Event types that record a control action or a change of what serves (the audit trail). */
export const CONTROL_EVENT_TYPES: readonly string[] = [
  EventType.AgentDefined,
  EventType.ModelVersionRegistered,
  EventType.ModelAliasMoved,
  EventType.FlagChanged,
  EventType.RolloutStepChanged,
  EventType.ControllerLeadershipChanged,
  EventType.EmergencyRollback,
  EventType.RolloutChangeDetected,
  EventType.BreakerStateChanged,
  EventType.BreakerOverridden,
  EventType.AlertRemediated,
  EventType.TokenCreated,
  EventType.TokenRevoked,
  EventType.KeyRotated,
  EventType.SubjectErased,
  EventType.RetentionApplied,
  EventType.EventPartitionTiered,
];

/** Reads every event of `types` in global order (what `GET /api/v1/events?type=` pages through). */
export async function readEvents(
  store: EventStore,
  types: readonly string[],
  limit = Number.POSITIVE_INFINITY,
): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let after: Cursor = START;
  while (out.length < limit) {
    const page = await store.readAll({ after, types, limit: Math.min(1000, limit - out.length) });
    if (page.length === 0) break;
    out.push(...page);
    const last = page[page.length - 1]!;
    after = { transactionId: last.transactionId, position: last.position };
  }
  return out;
}

/** One line of `apprentice audit`. */
export function auditLine(e: StoredEvent): string {
  const m = e.metadata;
  const reason = typeof m.reason === 'string' ? ` — ${m.reason}` : '';
  return `${e.time}  ${e.type.padEnd(22)} ${String(m.actor ?? '?').padEnd(16)} ${e.stream}${reason}`;
}

/** What `apprentice lineage <agent> <version>` prints: the version record and its training provenance. */
export interface LineageReport {
  readonly agent: string;
  readonly version: number;
  readonly specHash: unknown;
  readonly lineage: unknown;
  readonly sha256: unknown;
  readonly registeredAt: string;
  readonly registeredBy: unknown;
  /** Alias moves that pointed at this version. */
  readonly aliases: readonly { readonly alias: unknown; readonly at: string; readonly actor: unknown }[];
}

/**
 * The lineage of a model version from the `ModelVersionRegistered` event (the registry's own
 * record; it holds specHash and the event cursors it was trained on) and its alias moves.
 */
export async function lineageOf(store: EventStore, agent: string, version: number): Promise<LineageReport> {
  const events = await readEvents(store, [EventType.ModelVersionRegistered, EventType.ModelAliasMoved]);
  const reg = events.find(
    (e) =>
      e.type === EventType.ModelVersionRegistered &&
      (e.data as { agent?: unknown }).agent === agent &&
      (e.data as { version?: unknown }).version === version,
  );
  if (reg === undefined) throw new NotFoundError(`no model version ${agent} v${version}`);
  const d = reg.data as Record<string, unknown>;
  const lineage = (d.lineage ?? {}) as Record<string, unknown>;
  return {
    agent,
    version,
    specHash: d.specHash ?? lineage.specHash,
    lineage,
    sha256: d.sha256,
    registeredAt: reg.time,
    registeredBy: reg.metadata.actor,
    aliases: events
      .filter(
        (e) =>
          e.type === EventType.ModelAliasMoved &&
          (e.data as { agent?: unknown }).agent === agent &&
          (e.data as { to?: unknown }).to === version,
      )
      .map((e) => ({ alias: (e.data as { alias?: unknown }).alias, at: e.time, actor: e.metadata.actor })),
  };
}
