import { EventType, type StoredEvent } from '../../core/index.js';
import type { Projection } from '../../log/index.js';
import type { AgentDefinedData } from './agent-registry.js';

/** `agents` table: the current definition of every agent (migration 010). */
export const agentsProjection: Projection = {
  name: 'agents',
  tables: ['agents'],
  handles: [EventType.AgentDefined],
  async apply(tx, events) {
    // One row per agent (the latest version): one INSERT may not touch a row twice.
    const latest = new Map<string, { name: string; version: number; definition: unknown; updated_at: string }>();
    for (const e of events as readonly StoredEvent[]) {
      if (e.type !== EventType.AgentDefined) continue;
      const d = e.data as AgentDefinedData;
      if ((latest.get(d.agent)?.version ?? 0) < d.version) latest.set(d.agent, { name: d.agent, version: d.version, definition: d.after, updated_at: e.time });
    }
    const rows = [...latest.values()];
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO agents (name, version, definition, updated_at)
       SELECT name, version, definition, updated_at
       FROM json_to_recordset($1::json) AS r(name text, version int, definition jsonb, updated_at timestamptz)
       ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, definition = EXCLUDED.definition,
         updated_at = EXCLUDED.updated_at
       WHERE agents.version < EXCLUDED.version`,
      [JSON.stringify(rows)],
    );
  },
};
