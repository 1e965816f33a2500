import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventType, type NewEvent, type StoredEvent } from '../../../core/events.js';
import { uuidv7 } from '../../../core/ids.js';
import { compareCursors, type Cursor } from '../event-store.js';
import type { SqlClient, SqlExecutor } from '../sql-client.js';
import type { SqlEventStore } from '../sql-event-store.js';
import { decisionEvent, outcomeEvent } from './fixtures.js';

/** One read of the store's page query: where it started and how many rows its scans touched. */
export interface ReadCost {
  readonly afterTx: bigint;
  readonly afterPos: bigint;
  /** Rows produced by every scan node plus rows its filters threw away (EXPLAIN ANALYZE). */
  readonly rowsScanned: number;
  readonly returned: number;
}

interface PlanNode {
  'Node Type': string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

function scanned(node: PlanNode): number {
  let n = 0;
  if (node['Node Type'].includes('Scan') && node['Node Type'] !== 'Bitmap Index Scan' && !node['Node Type'].includes('Subquery') && !node['Node Type'].includes('Function')) {
    const loops = node['Actual Loops'] ?? 1;
    n += ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) * loops;
  }
  for (const c of node.Plans ?? []) n += scanned(c);
  return n;
}

/**
 * Wraps a client so that every page read of the event store (`readPage`) is also run under
 * `EXPLAIN (ANALYZE, FORMAT JSON)`, recording the rows its scans touched: a count, not a time.
 */
export function costRecordingClient(client: SqlClient, costs: ReadCost[]): SqlClient {
  return {
    ...client,
    transaction: (fn) => client.transaction((tx) => fn(costRecordingExecutor(tx, costs))),
  };
}

/**
 * Inside the store's read transaction (repeatable read, so both see one snapshot): the read,
 * then the same statement under EXPLAIN ANALYZE with the same settings.
 */
function costRecordingExecutor(tx: SqlExecutor, costs: ReadCost[]): SqlExecutor {
  return {
    exec: (sql) => tx.exec(sql),
    async query(sql, params = []) {
      if (!sql.includes('AS scan_xmin')) return tx.query(sql, params);
      const rows = await tx.query(sql, params);
      const [plan] = await tx.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
      const raw = plan?.['QUERY PLAN'];
      const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
      costs.push({
        afterTx: BigInt(String(params[0])),
        afterPos: BigInt(String(params[1])),
        rowsScanned: scanned(doc[0]!.Plan),
        returned: rows.filter((r) => (r as { id: unknown }).id !== null).length,
      });
      return rows as never[];
    },
  };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const decisions = (n: number): NewEvent[] => Array.from({ length: n }, () => decisionEvent());
async function appendMany(store: SqlEventStore, events: readonly NewEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) await store.append(events.slice(i, i + 1000));
}
const flagEvent = (): NewEvent => ({
  id: uuidv7(),
  type: EventType.FlagChanged,
  stream: 'flag-cost-test',
  data: { key: 'cost-test' },
  metadata: { actor: 'test' },
  time: new Date().toISOString(),
});

/**
 * The read cost of type-filtered subscriptions does not grow with the log: over a log of
 * non-matching events the cursor moves past them, the catch-up reads each event once, and an
 * idle poll touches no row. Run against PGlite (unit) and PostgreSQL (integration).
 */
export function readCostSuite(name: string, make: (wrap: (c: SqlClient) => SqlClient) => Promise<{ store: SqlEventStore; cleanup(): Promise<void> }>): void {
  describe(`type-filtered reads cost what is new, not what is stored: ${name}`, () => {
    const costs: ReadCost[] = [];
    let store: SqlEventStore;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      const h = await make((c) => costRecordingClient(c, costs));
      store = h.store;
      cleanup = h.cleanup;
    });
    afterAll(async () => {
      await cleanup();
    });

    /** The last event committed, as a cursor. */
    const lastEvent = async (): Promise<Cursor> => {
      const [r] = await store.query<{ t: string; p: string }>(
        'SELECT transaction_id::text AS t, position::text AS p FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1',
      );
      return { transactionId: BigInt(r!.t), position: BigInt(r!.p) };
    };
    /** Reads that started at or past `c`. */
    const past = (c: Cursor): ReadCost[] => costs.filter((r) => compareCursors({ transactionId: r.afterTx, position: r.afterPos }, c) >= 0);
    const before = (c: Cursor): ReadCost[] => costs.filter((r) => compareCursors({ transactionId: r.afterTx, position: r.afterPos }, c) < 0);

    it('a subscription to absent high-volume types advances over other events; idle polls read no row', async () => {
      await appendMany(store, decisions(2000));
      const firstLog = await lastEvent();
      costs.length = 0;
      const seen: StoredEvent[] = [];
      const unsubscribe = store.subscribe((events) => void seen.push(...events), {
        types: [EventType.ShadowPredicted, EventType.OutcomeRecorded],
        pollIntervalMs: 5,
        idlePollMs: 10,
      });
      try {
        // The catch-up scans the 2,000 decisions once; then the reads start past them.
        await until('reads starting past the first 2,000 events', () => past(firstLog).length >= 5);
        const idle1 = past(firstLog);
        expect(idle1.every((c) => c.rowsScanned === 0)).toBe(true);
        const catchUp1 = before(firstLog).reduce((n, c) => n + c.rowsScanned, 0);
        expect(catchUp1).toBeGreaterThanOrEqual(2000);
        expect(catchUp1).toBeLessThanOrEqual(2000 + 50);

        // The log grows five-fold with more non-matching events.
        costs.length = 0;
        await appendMany(store, decisions(8000));
        const secondLog = await lastEvent();
        await until('reads starting past the 10,000 events', () => past(secondLog).length >= 5);
        const idle2 = past(secondLog);
        expect(idle2.every((c) => c.rowsScanned === 0)).toBe(true);
        // Only the 8,000 new events were scanned, each once, whatever the log held before.
        const catchUp2 = before(secondLog).reduce((n, c) => n + c.rowsScanned, 0);
        expect(catchUp2).toBeGreaterThanOrEqual(8000);
        expect(catchUp2).toBeLessThanOrEqual(8000 + 50);
        expect(seen).toEqual([]);

        // A matching event is still delivered, once.
        const d = decisionEvent();
        const o = outcomeEvent(d.data.decisionId);
        await store.append([d, o]);
        await until('the outcome to be delivered', () => seen.length >= 1);
        await new Promise((r) => setTimeout(r, 50));
        expect(seen.map((e) => e.id)).toEqual([o.id]);
      } finally {
        await unsubscribe();
      }
    });

    it('a rare type is read through the type index: no decision is scanned, catch-up included', async () => {
      const flag = flagEvent();
      await store.append([flag]);
      await appendMany(store, decisions(1000));
      const log = await lastEvent();
      costs.length = 0;
      const seen: StoredEvent[] = [];
      const unsubscribe = store.subscribe((events) => void seen.push(...events), { types: [EventType.FlagChanged, EventType.AgentDefined], pollIntervalMs: 5, idlePollMs: 10 });
      try {
        await until('the flag event and reads past the log', () => seen.length === 1 && past(log).length >= 3);
        expect(seen.map((e) => e.id)).toEqual([flag.id]);
        // Every read touched at most the one matching row, however many decisions the log holds.
        expect(costs.every((c) => c.rowsScanned <= 1)).toBe(true);
      } finally {
        await unsubscribe();
      }
    });

    it('readPage with an absent type returns, in one read, a cursor past every committed event', async () => {
      await appendMany(store, decisions(500));
      // Another connection's open transaction may hold the visibility horizon back: retry.
      await until('a cursor past the whole log', async () => {
        const page = await store.readPage({ types: [EventType.RolloutStepChanged], limit: 10 });
        expect(page.events).toEqual([]);
        const [r] = await store.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM events WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)',
          [page.cursor.transactionId.toString(), page.cursor.position.toString()],
        );
        return r!.n === 0;
      });
    });
  });
}
