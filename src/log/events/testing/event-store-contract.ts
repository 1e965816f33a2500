import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../core/events.js';
import { isValidationError } from '../../../core/errors.js';
import { cursorOf, START, type Cursor, type EventStore } from '../event-store.js';
import { startCheckpointingReader } from './checkpointing-reader.js';
import { decisionEvent, outcomeEvent } from './fixtures.js';
import { deadline } from '../../../../test/support/poll-until.js';

export interface EventStoreHarness {
  readonly store: EventStore;
  cleanup(): Promise<void>;
}

/**
 * One contract suite for every EventStore adapter (STYLE.md §12). Each adapter's test file
 * calls it with a factory that returns a fresh, migrated store in its own database/schema.
 */
export function eventStoreContract(name: string, make: () => Promise<EventStoreHarness>): void {
  describe(`EventStore contract: ${name}`, () => {
    let h: EventStoreHarness;
    let store: EventStore;
    beforeAll(async () => {
      h = await make();
      store = h.store;
    });
    afterAll(async () => {
      await h.cleanup();
    });

    const readEverything = async (after: Cursor = START): Promise<StoredEvent[]> => {
      const out: StoredEvent[] = [];
      let c = after;
      // A read that ignores its cursor would page forever: fail with a message instead.
      const check = deadline({ timeoutMs: 30_000, message: 'reading the whole log page by page (does readAll move past its cursor?)' });
      for (;;) {
        check();
        const page = await store.readAll({ after: c, limit: 500 });
        if (page.length === 0) return out;
        out.push(...page);
        c = cursorOf(page[page.length - 1]!);
      }
    };

    it('appends a batch and reads it back in order with positions', async () => {
      const before = await readEverything();
      const batch = Array.from({ length: 20 }, () => decisionEvent());
      const r = await store.append(batch);
      expect(r.inserted).toHaveLength(20);
      const after = await readEverything(before.length ? cursorOf(before[before.length - 1]!) : START);
      expect(after.map((e) => e.id)).toEqual(batch.map((e) => e.id));
      for (let i = 1; i < after.length; i++) expect(after[i]!.position > after[i - 1]!.position).toBe(true);
      expect(after[0]!.data).toEqual(batch[0]!.data);
      expect(after[0]!.metadata).toEqual(batch[0]!.metadata);
    });

    it('re-appending the same event ids is a no-op (idempotent)', async () => {
      const batch = [decisionEvent(), decisionEvent()];
      await store.append(batch);
      const again = await store.append([...batch, decisionEvent()]);
      expect(again.inserted).toHaveLength(1);
      expect(again.skipped).toBe(2);
      const rows = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE id = ANY($1::uuid[])', [
        batch.map((e) => e.id),
      ]);
      expect(rows[0]!.n).toBe(2);
    });

    it('refuses a batch with an invalid event and writes nothing of it', async () => {
      const good = decisionEvent();
      const bad = { ...decisionEvent(), id: 'not-a-uuid' };
      const err = await store.append([good, bad]).catch((e: unknown) => e);
      expect(isValidationError(err)).toBe(true);
      const rows = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE id = $1', [good.id]);
      expect(rows[0]!.n).toBe(0);
    });

    it('the database refuses UPDATE and DELETE on events', async () => {
      await store.append([decisionEvent()]);
      await expect(store.query(`UPDATE events SET type = 'X'`)).rejects.toThrow(/append-only/);
      await expect(store.query('DELETE FROM events')).rejects.toThrow(/append-only/);
    });

    it('reads one stream in order', async () => {
      const d = decisionEvent();
      const o = outcomeEvent(d.data.decisionId, { reward: 0.5 });
      await store.append([d, decisionEvent(), o]);
      const s = await store.readStream(d.stream);
      expect(s.map((e) => e.type)).toEqual(['DecisionMade', 'OutcomeRecorded']);
      const tail = await store.readStream(d.stream, { afterPosition: s[0]!.position });
      expect(tail.map((e) => e.id)).toEqual([o.id]);
    });

    it('filters by type', async () => {
      const d = decisionEvent();
      await store.append([d, outcomeEvent(d.data.decisionId)]);
      const all = await readEverything();
      const outcomes = await store.readAll({ types: ['OutcomeRecorded'], limit: 10_000 });
      expect(outcomes.length).toBe(all.filter((e) => e.type === 'OutcomeRecorded').length);
    });

    it('projects decisions and outcomes, even when the outcome arrives first', async () => {
      const d = decisionEvent({ agent: 'debugger', value: 'root-cause-a' });
      await store.append([outcomeEvent(d.data.decisionId, { label: 'root-cause-b', reward: undefined })]);
      await store.append([d]);
      const rows = await store.query<{ agent: string; value: unknown; outcome_label: string }>(
        'SELECT agent, value, outcome_label FROM decisions_with_outcomes WHERE decision_id = $1',
        [d.data.decisionId],
      );
      expect(rows).toEqual([{ agent: 'debugger', value: 'root-cause-a', outcome_label: 'root-cause-b' }]);
    });

    it('a later correction replaces an earlier outcome, a re-delivered old one does not', async () => {
      const d = decisionEvent();
      const first = outcomeEvent(d.data.decisionId, { reward: 0 });
      const correction = outcomeEvent(d.data.decisionId, { reward: 1, kind: 'correction' });
      await store.append([d, first, correction]);
      await store.append([first]);
      const rows = await store.query<{ outcome_reward: number; outcome_kind: string }>(
        'SELECT outcome_reward, outcome_kind FROM decisions_with_outcomes WHERE decision_id = $1',
        [d.data.decisionId],
      );
      expect(rows[0]).toEqual({ outcome_reward: 1, outcome_kind: 'correction' });
    });

    it('subscribe catches up, then delivers live appends, and stops when disposed', async () => {
      const existing = await readEverything();
      const seen: string[] = [];
      let resolveLive!: () => void;
      const live = new Promise<void>((r) => (resolveLive = r));
      const extra = [decisionEvent(), decisionEvent()];
      const dispose = store.subscribe(
        (events) => {
          for (const e of events) seen.push(e.id);
          if (extra.every((x) => seen.includes(x.id))) resolveLive();
        },
        { pollIntervalMs: 10 },
      );
      await store.append(extra);
      await live;
      await dispose();
      expect(seen.slice(0, existing.length)).toEqual(existing.map((e) => e.id));
      expect(seen.slice(existing.length)).toEqual(extra.map((e) => e.id));
    });

    it('replay rebuilds the projections exactly', async () => {
      const snapshot = async (): Promise<unknown[]> =>
        store.query('SELECT decision_id::text, agent, value, outcome_reward FROM decisions_with_outcomes ORDER BY decision_id');
      const before = await snapshot();
      let progress = 0;
      const r = await store.replay((done) => (progress = done));
      expect(r.events).toBeGreaterThan(0);
      expect(progress).toBe(r.events);
      expect(await snapshot()).toEqual(before);
    });

    it('concurrent appenders never make a checkpointing reader skip an event', async () => {
      const start = await readEverything();
      let writing = true;
      const { seen, done: reader } = startCheckpointingReader(store, {
        after: start.length ? cursorOf(start[start.length - 1]!) : START,
        limit: 50,
        expected: 400,
        writing: () => writing,
      });
      const written: string[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = 0; i < 10; i++) {
            const batch = Array.from({ length: 5 }, () => decisionEvent());
            await store.append(batch);
            written.push(...batch.map((e) => e.id));
          }
        }),
      );
      writing = false;
      await reader;
      expect(written).toHaveLength(400);
      for (const id of written) expect(seen.get(id)).toBe(1);
    });
  });
}
