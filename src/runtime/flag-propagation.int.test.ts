import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_URL, REDIS_URL, createTestSchema, testPrefix, type TestSchema } from '../../test/support/services.js';
import { type InstalledExperiments, installExperiments } from './install-experiments.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { rolloutFlag } from '../experiments/flags/rollout-flag.js';
import type { FlagChange, FlagStore } from '../experiments/flags/store/flag-store.js';

/** Resolves with the time (performance.now) at which `store` applies a change of `key` arriving from elsewhere. */
const arrival = (store: FlagStore, key: string, percentage: number): Promise<number> =>
  new Promise((resolve) => {
    const off = store.onChange((c: FlagChange) => {
      if (c.key === key && c.via !== 'local' && c.after?.definition.metadata?.percentage === percentage) {
        off();
        resolve(performance.now());
      }
    });
  });

describe('flag propagation between two instances (PostgreSQL + Redis)', () => {
  let schema: TestSchema;
  let dir: string;
  const apprentices: Apprentice[] = [];
  const installed: InstalledExperiments[] = [];

  beforeAll(async () => {
    schema = await createTestSchema('flags');
    dir = mkdtempSync(join(tmpdir(), 'apprentice-flags-int-'));
    const prefix = testPrefix('flags');
    const databaseUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    for (const name of ['a', 'b']) {
      const a = await createApprentice({ config: { databaseUrl, redisUrl: REDIS_URL, redisPrefix: prefix, dataDir: join(dir, name) }, instanceId: name, projector: false });
      apprentices.push(a);
      installed.push(await installExperiments(a, { schedule: false, flagResyncIntervalMs: 0 }));
    }
  });
  afterAll(async () => {
    for (const x of installed) await x.stop();
    for (const a of apprentices) await a.close();
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('both instances share one store and one Redis', async () => {
    expect(apprentices.map((a) => a.store.kind)).toEqual(['postgres', 'postgres']);
    const rows = await apprentices[0]!.store.query<{ s: string }>('SELECT current_schema() AS s');
    expect(rows[0]!.s).toBe(schema.schema);
    expect(apprentices.every((a) => a.redis?.isOpen)).toBe(true);
  });

  it('a flag change on one instance reaches the other over pub/sub', async () => {
    const [x, y] = installed as [InstalledExperiments, InstalledExperiments];
    const key = 'rollout-detektor-coder';
    await x.flags.put(key, rolloutFlag('detektor-coder', 0), { actor: 'test' });
    await y.flags.resync(); // the creation is not what we measure
    const arrived = arrival(y.flags, key, 25);
    const t0 = performance.now();
    await x.flags.setPercentage(key, 25, { actor: 'test' });
    const t1 = await arrived;
    console.info(`flag propagation between instances: ${(t1 - t0).toFixed(2)} ms (target ≤ 100 ms)`);
    expect(y.flags.get(key)?.version).toBe(2);
    expect(y.router('detektor-coder', 'unit-1').propensity).toBeGreaterThan(0);
    // Durable: a third reader of the store sees the same version.
    const rows = await apprentices[1]!.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = 'FlagChanged' AND stream = $1`, [`flag-${key}`]);
    expect(rows[0]!.n).toBe(2);
  });

  it('an emergency rollback on one instance takes every agent to the rules on the other', async () => {
    const [x, y] = installed as [InstalledExperiments, InstalledExperiments];
    await x.controller.command('pr-manager', { kind: 'advance' }, { actor: 'test' });
    await x.flags.setPercentage('rollout-pr-manager', 100, { actor: 'test' });
    await y.flags.resync();
    expect(y.router('pr-manager', 'unit-9').variant).toBe('ml');
    const arrived = arrival(y.flags, 'rollout-pr-manager', 0);
    const t0 = performance.now();
    await x.controller.emergencyRollback({ actor: 'oncall', reason: 'int test' });
    const t1 = await arrived;
    console.info(`emergency rollback propagation between instances: ${(t1 - t0).toFixed(2)} ms (target ≤ 1000 ms)`);
    expect(y.router('pr-manager', 'unit-9').variant).toBe('deterministic');
    expect(y.router('detektor-coder', 'unit-1').variant).toBe('deterministic');
    expect((await y.controller.status('pr-manager')).state.phase).toBe('rolled_back');
  });
});
