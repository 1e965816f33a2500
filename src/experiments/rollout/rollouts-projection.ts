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
      // read version n and append n + 1 would otherwise both land; the row lock serialises them
      // and the second append fails as a whole (the event is not stored), to be recomputed.
      const [current] = await tx.query<{ version: number }>('SELECT version FROM rollouts WHERE agent = $1 FOR UPDATE', [d.agent]);
      const expected = (current?.version ?? 0) + 1;
      if (d.version !== expected)
        throw new ConflictError(`rollout of ${d.agent} changed concurrently: step change version ${d.version}, expected ${expected}; re-read and retry`);
      await tx.query(
        `INSERT INTO rollouts (agent, phase, percentage, state, version, event_id, updated_by, reason, updated_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9)
         ON CONFLICT (agent) DO UPDATE SET phase = EXCLUDED.phase, percentage = EXCLUDED.percentage, state = EXCLUDED.state,
           version = EXCLUDED.version, event_id = EXCLUDED.event_id, updated_by = EXCLUDED.updated_by, reason = EXCLUDED.reason,
           updated_at = EXCLUDED.updated_at
         WHERE rollouts.event_id < EXCLUDED.event_id`,
        [d.agent, d.after.phase, percentageOf(d.after), JSON.stringify(d.after), d.version, e.id, e.metadata.actor ?? null, reason, e.time],
      );
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
