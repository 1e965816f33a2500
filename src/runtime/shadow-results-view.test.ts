import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventType, uuidv7, type NewEvent } from '../core/index.js';
import { createPgliteEventStore } from '../log/events/pglite-event-store.js';
import type { EventStore } from '../log/events/event-store.js';
import { decisionEvent } from '../log/events/testing/fixtures.js';
import { defaultProjections } from './projections.js';

const shadow = (decisionId: string, modelVersion: number, data: Record<string, unknown>, t: number): NewEvent => ({
  id: uuidv7(t),
  type: EventType.ShadowPredicted,
  stream: `decision-${decisionId}`,
  data: { decisionId, agent: 'deployment-specialist', unitId: 'u-1', modelVersion, agree: false, latencyMs: 0.25, ...data },
  metadata: { actor: 'shadow' },
  time: new Date(t).toISOString(),
});

// PGlite in memory: the same migrations as PostgreSQL (unit tier).
describe('shadow_results is a view over the ShadowPredicted events (migrations/066)', () => {
  let store: EventStore;
  beforeAll(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://', projections: defaultProjections });
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
  });

  it('has the columns of the former table; the first prediction per decision and model version wins; nothing is copied', async () => {
    const [kind] = await store.query<{ relkind: string }>(`SELECT relkind::text FROM pg_class WHERE relname = 'shadow_results' AND relnamespace = current_schema()::regnamespace`);
    expect(kind?.relkind).toBe('v');
    const d = decisionEvent();
    const id = d.data.decisionId;
    const t = Date.now();
    await store.append([d, shadow(id, 3, { rulesValue: 'canary', modelValue: 'full' }, t + 1)]);
    // A re-prediction of the same version later, and another version with no rules value and a JSON null model value.
    await store.append([shadow(id, 3, { rulesValue: 'canary', modelValue: 'canary', agree: true }, t + 2), shadow(id, 4, { modelValue: null, error: 'timeout' }, t + 3)]);
    const rows = await store.query<Record<string, unknown>>('SELECT * FROM shadow_results WHERE decision_id = $1 ORDER BY model_version', [id]);
    expect(rows).toEqual([
      { decision_id: id, agent: 'deployment-specialist', unit_id: 'u-1', model_version: 3, rules_value: 'canary', model_value: 'full', agree: false, latency_ms: 0.25, error: null, predicted_at: new Date(t + 1) },
      { decision_id: id, agent: 'deployment-specialist', unit_id: 'u-1', model_version: 4, rules_value: null, model_value: null, agree: false, latency_ms: 0.25, error: 'timeout', predicted_at: new Date(t + 3) },
    ]);
    // No projection owns it any more: replay rebuilds the others and it reads the same.
    expect(defaultProjections.flatMap((p) => p.tables)).not.toContain('shadow_results');
    await store.replay();
    expect(await store.query('SELECT * FROM shadow_results WHERE decision_id = $1 ORDER BY model_version', [id])).toEqual(rows);
  });
});
