import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isApprenticeError } from '../../core/index.js';
import type { SqlEventStore } from '../../log/events/sql-event-store.js';
import { createPgliteEventStore } from '../../log/events/pglite-event-store.js';
import { rolloutStepChangedEvent } from './rollout-events.js';
import { initialRolloutState } from './rollout-state.js';
import { transition } from './transition.js';
import { rolloutsProjection } from './rollouts-projection.js';

// Issue 14, "RolloutStepChanged versions contiguous" across a fleet: the leader's tick and an
// operator's command on another instance may both compute a step change from version n. The
// projection, in the append's transaction, admits only n + 1 over the stored n, so the second
// append fails whole (its event is not stored) and the trail stays 1, 2, 3, ... with no twins.
describe('rollouts projection: step change versions are contiguous', () => {
  let store: SqlEventStore;
  beforeAll(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://', projections: [rolloutsProjection] });
    await store.migrate();
  });
  afterAll(async () => store.close());

  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const shadow = initialRolloutState(new Date(t0).toISOString());
  const at5 = transition(shadow, { kind: 'advance' }, { now: new Date(t0 + 1000).toISOString(), newExperimentId: () => 'exp-5', steps: [5, 100] });
  const step = (version: number, n: number) =>
    rolloutStepChangedEvent({ agent: 'fleet-agent', version, before: shadow, after: at5, command: 'advance' }, { actor: `instance-${n}` }, t0 + n);

  const versions = async (): Promise<number[]> =>
    (await store.query<{ v: number }>(`SELECT (data->>'version')::int AS v FROM events WHERE type = 'RolloutStepChanged' ORDER BY position`)).map((r) => r.v);

  it('admits version 1, refuses a second version 1 (nothing stored), admits version 2', async () => {
    await store.append([step(1, 1)]);
    const twin = await store.append([step(1, 2)]).catch((e: unknown) => e);
    expect(isApprenticeError(twin) && twin.code).toBe('CONFLICT');
    expect(String((twin as Error).message)).toContain('fleet-agent changed concurrently: step change version 1, expected 2');
    const gap = await store.append([step(3, 3)]).catch((e: unknown) => e);
    expect(isApprenticeError(gap) && gap.code).toBe('CONFLICT');
    await store.append([step(2, 4)]);
    expect(await versions()).toEqual([1, 2]);
    expect((await store.query<{ version: number }>('SELECT version FROM rollouts WHERE agent = $1', ['fleet-agent']))[0]?.version).toBe(2);
  });

  it('two concurrent appends of the same next version: exactly one lands', async () => {
    const results = await Promise.allSettled([store.append([step(3, 5)]), store.append([step(3, 6)])]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await versions()).toEqual([1, 2, 3]);
  });
});
