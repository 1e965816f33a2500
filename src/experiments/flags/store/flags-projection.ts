import { EventType } from '../../../core/index.js';
import type { Projection } from '../../../log/index.js';

/**
 * `flags` table (migration 020): the current definition of every flag. The latest
 * `FlagChanged` per key wins by event id (UUIDv7), the same rule every instance's cache uses,
 * so the table and the caches converge whatever order events arrive in.
 */
export const flagsProjection: Projection = {
  name: 'flags',
  tables: ['flags'],
  handles: [EventType.FlagChanged],
  sql: (src) => [
    `INSERT INTO flags (key, version, definition, event_id, updated_by, updated_at)
     SELECT DISTINCT ON (data->>'key') data->>'key', (data->>'version')::int, NULLIF(data->'after', 'null'::jsonb),
       id, metadata->>'actor', time
     FROM ${src} WHERE type = '${EventType.FlagChanged}'
     ORDER BY data->>'key', id DESC
     ON CONFLICT (key) DO UPDATE SET version = EXCLUDED.version, definition = EXCLUDED.definition,
       event_id = EXCLUDED.event_id, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
     WHERE flags.event_id < EXCLUDED.event_id`,
  ],
};
