import { EventType } from '../../core/index.js';
import type { Projection } from '../../log/index.js';
import type { AliasMove, ModelVersion } from './model-registry.js';

/** `model_versions`, `model_aliases` and `model_alias_history` (migration 011). */
export const registryProjection: Projection = {
  name: 'model-registry',
  tables: ['model_versions', 'model_aliases', 'model_alias_history'],
  handles: [EventType.ModelVersionRegistered, EventType.ModelAliasMoved],
  async apply(tx, events) {
    for (const e of events) {
      if (e.type === EventType.ModelVersionRegistered) {
        const v = e.data as ModelVersion;
        await tx.query(
          `INSERT INTO model_versions (agent, version, format, file, sha256, size, spec_hash, metrics, lineage, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10) ON CONFLICT (agent, version) DO NOTHING`,
          [v.agent, v.version, v.format, v.file, v.sha256, v.size, v.specHash, JSON.stringify(v.metrics), JSON.stringify(v.lineage), v.createdAt],
        );
      } else if (e.type === EventType.ModelAliasMoved) {
        const m = e.data as AliasMove;
        await tx.query(
          `INSERT INTO model_alias_history (event_id, agent, alias, from_version, to_version, rollback, actor, reason, moved_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (event_id) DO NOTHING`,
          [e.id, m.agent, m.alias, m.from, m.to, m.rollback, m.actor, m.reason, m.at],
        );
        await tx.query(
          `INSERT INTO model_aliases (agent, alias, version, moved_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (agent, alias) DO UPDATE SET version = EXCLUDED.version, moved_at = EXCLUDED.moved_at`,
          [m.agent, m.alias, m.to, m.at],
        );
      }
    }
  },
};
