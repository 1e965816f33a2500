import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../core/index.js';
import { createMemoryBus } from '../log/bus/memory-bus.js';
import type { LearningBus } from '../log/bus/learning-bus.js';
import { createPgliteEventStore } from '../log/events/pglite-event-store.js';
import type { SqlEventStore } from '../log/events/sql-event-store.js';
import { decisionEvent } from '../log/events/testing/fixtures.js';
import { Journal } from '../log/journal/journal.js';
import { Projector } from '../log/projector/projector.js';
import { AsyncLearningWriter } from './async-learning-writer.js';

const decision = (i: number) =>
  ({
    agent: 'code-reviewer',
    unitId: `pr-${i}`,
    value: 'approve',
    source: 'deterministic',
    reason: 'RULES',
    variant: 'deterministic',
    propensity: 1,
    latencyMs: 0.01,
  }) as const;

/** A bus that can forget everything at once, like a Redis restarted without persistence. */
function forgetfulBus(): LearningBus & { forget(): void } {
  let current = createMemoryBus();
  const handler: ProxyHandler<object> = {
    get: (_t, key) => {
      if (key === 'forget') return () => (current = createMemoryBus());
      const v = (current as unknown as Record<PropertyKey, unknown>)[key];
      return typeof v === 'function' ? (...args: unknown[]) => (v as (...a: unknown[]) => unknown).apply(current, args) : v;
    },
  };
  return new Proxy({}, handler) as LearningBus & { forget(): void };
}

const storedCounts = async (store: SqlEventStore): Promise<Map<string, number>> => {
  const rows = await store.query<{ id: string; n: number }>(
    `SELECT data->>'decisionId' AS id, count(*)::int AS n FROM events WHERE type = 'DecisionMade' GROUP BY 1`,
  );
  return new Map(rows.map((r) => [r.id, r.n]));
};

const waitFor = async (cond: () => Promise<boolean> | boolean, what: string, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('the learning path heals itself', () => {
  let store: SqlEventStore;
  let dir: string;
  beforeEach(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://' });
    await store.migrate();
    dir = mkdtempSync(join(tmpdir(), 'apprentice-heal-'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = async (ids: readonly string[]) =>
    (await store.query<{ id: string }>('SELECT id::text AS id FROM events WHERE id = ANY($1::uuid[])', [ids])).map((r) => r.id);

  it('a bus that forgets everything loses nothing published: the group is re-created and the outbox resent', async () => {
    const bus = forgetfulBus();
    const writer = new AsyncLearningWriter({ bus, stored, confirmIntervalMs: 20, batchSize: 50 });
    writer.start();
    const projector = new Projector({ bus, store, consumer: 'p1', blockMs: 10, retryMs: 10, onAppended: (e) => writer.confirm(e) });
    await projector.start();
    const ids: string[] = [];
    try {
      for (let i = 0; i < 200; i++) ids.push(writer.recordDecision(decision(i)));
      await writer.flush();
      await waitFor(async () => (await storedCounts(store)).size > 0, 'some decisions stored');
      await projector.stop(); // hold the rest unprojected, then the bus forgets them
      for (let i = 200; i < 400; i++) ids.push(writer.recordDecision(decision(i)));
      await writer.flush();
      expect(writer.stats().unconfirmed).toBeGreaterThan(0);
      bus.forget();
      await projector.start(); // its group is gone: NOGROUP until it re-creates it
      for (let i = 400; i < 500; i++) ids.push(writer.recordDecision(decision(i)));
      await writer.flush();
      await waitFor(async () => (await storedCounts(store)).size === ids.length, 'every decision stored').catch(async (e: unknown) => {
        throw new Error(`${String(e)}: ${JSON.stringify(writer.stats())} ${JSON.stringify(projector.stats())} ${(await storedCounts(store)).size}`);
      });
      const counts = await storedCounts(store);
      expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
      expect(writer.stats()).toMatchObject({ busResets: 1 });
      expect(writer.stats().resent).toBeGreaterThan(0);
      await waitFor(() => writer.stats().unconfirmed === 0, 'the outbox to empty');
    } finally {
      await projector.stop();
      await writer.close();
    }
  });

  it('durability local: what a killed process recorded is resent by the next one, then the journal is deleted', async () => {
    const journalDir = join(dir, 'journal');
    // First "process": records and is killed before anything is published (no close, no flush).
    const dead = new AsyncLearningWriter({ bus: createMemoryBus(), durability: 'local', journalDir, flushIntervalMs: 60_000 });
    dead.start();
    const ids = Array.from({ length: 300 }, (_, i) => dead.recordDecision(decision(i)));
    expect(readdirSync(journalDir).some((f) => f.startsWith('journal-'))).toBe(true);
    // Simulate the kill: drop the lock the dead process held (its pid is ours in this test).
    rmSync(join(journalDir, 'apprentice.lock'));

    const bus = createMemoryBus();
    const writer = new AsyncLearningWriter({ bus, stored, durability: 'local', journalDir, confirmIntervalMs: 20 });
    writer.start();
    const projector = new Projector({ bus, store, consumer: 'p1', blockMs: 10, onAppended: (e) => writer.confirm(e) });
    await projector.start();
    try {
      expect(writer.stats().recovered).toBe(300);
      await waitFor(async () => (await storedCounts(store)).size === ids.length, 'the recovered decisions stored');
      const counts = await storedCounts(store);
      expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
      await writer.close();
      // Everything confirmed: no segment is left for a third run to resend.
      expect(readdirSync(journalDir).filter((f) => f.startsWith('journal-'))).toEqual([]);
    } finally {
      await projector.stop();
      await writer.close();
    }
  });

  it('a poison event is dead-lettered alone, with the reason; its batch neighbours are stored', async () => {
    const bus = createMemoryBus();
    const projector = new Projector({ bus, store, consumer: 'p1' });
    await bus.ensureGroup('events', 'projector');
    const good = Array.from({ length: 37 }, () => decisionEvent());
    const poison: NewEvent = { ...decisionEvent(), data: { note: 'nul \u0000 here' } };
    const batch = [...good.slice(0, 20), poison, ...good.slice(20)];
    await bus.publish('events', batch);
    await projector.drainOnce();
    const rows = await store.query<{ id: string }>('SELECT id::text AS id FROM events');
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(good.map((e) => e.id)));
    const dead = await bus.deadLetters('events');
    expect(dead.flatMap((d) => d.events.map((e) => e.id))).toEqual([poison.id]);
    expect((dead[0] as { reason?: string }).reason).toMatch(/\\u0000|unicode|escape/i);
    expect(projector.stats()).toMatchObject({ poisoned: 1 });
    expect(await bus.groupInfo('events', 'projector')).toEqual({ pending: 0, lag: 0 });
  });
});

describe('Journal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rotates segments, deletes a segment once every event in it is confirmed, and recovers only the rest', async () => {
    const { journal } = Journal.open({ dir, durability: 'fsync', segmentBytes: 2000 });
    const events = Array.from({ length: 40 }, () => decisionEvent());
    for (const e of events) journal.append(e);
    await Promise.all([journal.durable(), journal.durable(), journal.durable()]);
    expect(journal.stats().segments).toBeGreaterThan(3);
    journal.confirm(events.slice(0, 30).map((e) => e.id));
    expect(journal.stats().unconfirmed).toBe(10);
    journal.close();
    const again = Journal.open({ dir, durability: 'local' });
    const got = new Set(again.recovered.map((e) => e.id));
    for (const e of events.slice(30)) expect(got.has(e.id)).toBe(true);
    // Confirmed events may share a segment with unconfirmed ones, never more than one segment's worth.
    expect(again.recovered.length).toBeLessThan(30);
    again.journal.close();
  });
});
