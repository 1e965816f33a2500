import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, type TestSchema } from '../../../test/support/services.js';
import { createPostgresEventStore } from '../../log/events/postgres-event-store.js';
import type { SqlEventStore } from '../../log/events/sql-event-store.js';
import { rolloutStepChangedEvent } from './rollout-events.js';
import { initialRolloutState } from './rollout-state.js';
import { rolloutsProjection } from './rollouts-projection.js';
import { transition } from './transition.js';

// The same guarantee as rollouts-projection.test.ts on real PostgreSQL, where two instances'
// appends really run at once (separate connections): for each version, of several concurrent
// appends exactly one lands, including the first (no row yet).
describe('rollouts projection on PostgreSQL: concurrent step changes', () => {
  let schema: TestSchema;
  let stores: SqlEventStore[];
  beforeAll(async () => {
    schema = await createTestSchema('rollver');
    stores = [0, 1, 2].map(() => createPostgresEventStore({ connectionString: schema.connectionString, schema: schema.schema, projections: [rolloutsProjection] }));
    await stores[0]!.migrate();
  });
  afterAll(async () => {
    for (const s of stores ?? []) await s.close();
    await schema?.drop();
  });

  it('three instances race for each of versions 1..5: one wins each, the trail is 1..5', async () => {
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const shadow = initialRolloutState(new Date(t0).toISOString());
    const at5 = transition(shadow, { kind: 'advance' }, { now: new Date(t0 + 1000).toISOString(), newExperimentId: () => 'exp-5', steps: [5, 100] });
    let n = 0;
    for (let version = 1; version <= 5; version++) {
      const results = await Promise.allSettled(
        stores.map((s, i) => s.append([rolloutStepChangedEvent({ agent: 'race', version, before: shadow, after: at5, command: 'advance' }, { actor: `instance-${i}` }, t0 + ++n)])),
      );
      expect(results.filter((r) => r.status === 'fulfilled').length, `version ${version}`).toBe(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toBe('CONFLICT');
    }
    const rows = await stores[0]!.query<{ v: number }>(`SELECT (data->>'version')::int AS v FROM events WHERE type = 'RolloutStepChanged' ORDER BY position`);
    expect(rows.map((r) => r.v)).toEqual([1, 2, 3, 4, 5]);
  });
});
