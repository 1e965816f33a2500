import { ConflictError, EventType, type StoredEvent } from '../../core/index.js';
import type { Projection } from '../../log/index.js';
import { experimentChanges } from './rollout-log.js';
import type { RolloutStepChangedData } from './rollout-events.js';
import { percentageOf } from './rollout-state.js';

/**
 * `rollouts` (current state per agent) and `experiments` (one per rollout step) from
 * `RolloutStepChanged` (migration 021). Exposures and outcomes are joined by the
 * `experiment_exposures` view, not copied.
 */
export const rolloutsProjection: Projection = {
  name: 'rollouts',
  tables: ['rollouts', 'experiments'],
  handles: [EventType.RolloutStepChanged],
  async apply(tx, events) {
    for (const e of events as readonly StoredEvent[]) {
      if (e.type !== EventType.RolloutStepChanged) continue;
      const d = e.data as RolloutStepChangedData;
      const reason = typeof e.metadata.reason === 'string' ? e.metadata.reason : null;
      // Optimistic concurrency: a step change must follow the version it was computed from. Two
      // writers (the leader's tick and an operator's command on another instance) that both
      // read version n and append n + 1 would otherwise both land. The upsert admits only
      // version n + 1 over a stored n, or 1 over none (a concurrent first insert waits on the
      // key, then does nothing); when nothing is admitted the append fails as a whole:
      // the event is not stored, and the writer re-reads and recomputes.
      const row = [d.agent, d.after.phase, percentageOf(d.after), JSON.stringify(d.after), d.version, e.id, e.metadata.actor ?? null, reason, e.time];
      const admitted =
        d.version === 1
          ? await tx.query(
              `INSERT INTO rollouts (agent, phase, percentage, state, version, event_id, updated_by, reason, updated_at)
               VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9) ON CONFLICT (agent) DO NOTHING RETURNING version`,
              row,
            )
          : await tx.query(
              `UPDATE rollouts SET phase = $2, percentage = $3, state = $4::jsonb, version = $5, event_id = $6, updated_by = $7,
                 reason = $8, updated_at = $9
               WHERE agent = $1 AND version = $5 - 1 RETURNING version`,
              row,
            );
      if (admitted.length === 0) {
        const [current] = await tx.query<{ version: number }>('SELECT version FROM rollouts WHERE agent = $1', [d.agent]);
        throw new ConflictError(`rollout of ${d.agent} changed concurrently: step change version ${d.version}, expected ${(current?.version ?? 0) + 1}; re-read and retry`);
      }
      const { ended, started } = experimentChanges(d, e.time, reason ?? undefined);
      if (started)
        await tx.query(`INSERT INTO experiments (id, agent, percentage, started_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`, [
          started.id,
          started.agent,
          started.percentage,
          started.startedAt,
        ]);
      if (ended)
        await tx.query(`UPDATE experiments SET ended_at = $2, end_phase = $3, end_reason = $4 WHERE id = $1 AND ended_at IS NULL`, [
          ended.id,
          ended.endedAt,
          ended.endPhase,
          ended.endReason ?? null,
        ]);
    }
  },
};
