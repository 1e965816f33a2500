import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isValidationError } from '../../../core/errors.js';
import type { EventStore } from '../../../log/events/event-store.js';
import { createPgliteEventStore } from '../../../log/events/pglite-event-store.js';
import { decisionsProjection } from '../../../log/events/projections/decisions.js';
import { rolloutFlag, routeUnit } from '../rollout-flag.js';
import { createLocalFlagDistribution } from './flag-distribution.js';
import { type FlagChange, type FlagStore, createFlagStore } from './flag-store.js';
import { flagsProjection } from './flags-projection.js';

const boolFlag = (on: boolean) => ({ state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: on ? 'on' : 'off' });

describe('flag store', () => {
  let store: EventStore;
  let channel: string;
  let stores: FlagStore[];
  const open = async (): Promise<FlagStore> => {
    const s = await createFlagStore({ store, distribution: createLocalFlagDistribution({ channel }), resyncIntervalMs: 0 });
    stores.push(s);
    return s;
  };
  beforeAll(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://', projections: [decisionsProjection, flagsProjection] });
    await store.migrate();
  });
  afterAll(async () => store.close());
  beforeEach(() => {
    channel = `test:${Math.random()}:flags`;
    stores = [];
  });
  afterEach(async () => {
    for (const s of stores) await s.close();
  });

  it('stores a change as an audited FlagChanged event and projects it', async () => {
    const a = await open();
    await a.put('dark-mode', boolFlag(false), { actor: 'alice', reason: 'launch' });
    await a.put('dark-mode', boolFlag(true), { actor: 'bob' });
    const events = await store.readStream('flag-dark-mode');
    expect(events.map((e) => [e.type, e.metadata.actor, (e.data as { version: number }).version])).toEqual([
      ['FlagChanged', 'alice', 1],
      ['FlagChanged', 'bob', 2],
    ]);
    expect(events[0]!.metadata.reason).toBe('launch');
    expect(events[1]!.data).toMatchObject({ before: { defaultVariant: 'off' }, after: { defaultVariant: 'on' } });
    const rows = await store.query<{ version: number; definition: { defaultVariant: string } }>(`SELECT version, definition FROM flags WHERE key = 'dark-mode'`);
    expect(rows).toEqual([{ version: 2, definition: expect.objectContaining({ defaultVariant: 'on' }) }]);
    expect(a.evaluator.resolveBoolean('dark-mode', false).value).toBe(true);
  });

  it('an identical definition is a no-op', async () => {
    const a = await open();
    await a.put('noop', boolFlag(true));
    await a.put('noop', boolFlag(true));
    expect(await store.readStream('flag-noop')).toHaveLength(1);
  });

  it('a change reaches every instance, and a new instance loads flags from the log', async () => {
    const a = await open();
    const b = await open();
    const seen: FlagChange[] = [];
    b.onChange((c) => seen.push(c));
    await a.put('rollout-debugger', rolloutFlag('debugger', 0));
    await a.setPercentage('rollout-debugger', 100, { actor: 'controller' });
    expect(seen.map((c) => [c.via, c.after?.version])).toEqual([
      ['distribution', 1],
      ['distribution', 2],
    ]);
    expect(routeUnit(b.evaluator, 'debugger', 'task-1')).toMatchObject({ variant: 'ml', propensity: 1 });
    const c = await open();
    expect(c.get('rollout-debugger')?.version).toBe(2);
    expect(routeUnit(c.evaluator, 'debugger', 'task-1').variant).toBe('ml');
  });

  it('an instance that missed a message catches up at resync, and stale messages are ignored', async () => {
    const a = await createFlagStore({ store, distribution: createLocalFlagDistribution({ channel: `${channel}:a` }), resyncIntervalMs: 0 });
    const b = await createFlagStore({ store, distribution: createLocalFlagDistribution({ channel: `${channel}:b` }), resyncIntervalMs: 0 });
    stores.push(a, b);
    const applied0 = b.stats().applied;
    await a.put('missed', boolFlag(true));
    expect(b.get('missed')).toBeUndefined();
    expect(await b.resync()).toBe(1);
    expect(b.get('missed')?.version).toBe(1);
    await a.put('missed', boolFlag(false));
    await b.resync();
    await b.resync(); // nothing new: no double application
    expect(b.get('missed')?.version).toBe(2);
    expect(b.stats().applied - applied0).toBe(2);
  });

  it('removal deletes the flag everywhere and a late older change does not resurrect it', async () => {
    const a = await open();
    const b = await open();
    await a.put('removed', boolFlag(true));
    const old = (await store.readStream('flag-removed'))[0]!;
    await a.remove('removed', { actor: 'alice' });
    expect(b.get('removed')).toBeUndefined();
    await createLocalFlagDistribution({ channel }).publish({ id: old.id, data: old.data as never, metadata: old.metadata, time: old.time });
    expect(b.get('removed')).toBeUndefined();
    expect(b.evaluator.resolveBoolean('removed', false).errorCode).toBe('FLAG_NOT_FOUND');
  });

  it('rejects an invalid definition with field errors and writes nothing', async () => {
    const a = await open();
    const err = await a.put('invalid', { state: 'ON', variants: { on: true }, defaultVariant: 'off' }).catch((e: unknown) => e);
    expect(isValidationError(err)).toBe(true);
    const paths = (err as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['state']));
    expect(await store.readStream('flag-invalid')).toHaveLength(0);
    await expect(a.put('bad key!', boolFlag(true))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await a.put('plain', boolFlag(true));
    await expect(a.setPercentage('plain', 5)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
