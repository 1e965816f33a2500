import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, EventType, uuidv7, type NewEvent } from '../../../core/index.js';
import { createPgliteEventStore } from '../../../log/events/pglite-event-store.js';
import type { SqlEventStore } from '../../../log/events/sql-event-store.js';
import { pollUntil } from '../../../../test/support/poll-until.js';
import { bruteForceFeatures, readFeatures, type FeatureValue } from '../aggregation.js';
import { FeatureViewRegistry } from '../feature-view-registry.js';
import { FeatureMaterialiser } from '../materialiser.js';
import type { OnlineStore } from '../online-store.js';
import { viewInputsOf } from '../view-input.js';

export const AUTHOR_VIEW = {
  name: 'author-reliability',
  entity: 'author',
  entityPath: 'context.author',
  source: { events: 'outcomes', agent: 'code-reviewer' },
  features: [
    { name: 'approve_rate_30d', aggregation: 'mean', field: 'label', equals: 'approve', window: '30d' },
    { name: 'reviews_1d', aggregation: 'count', window: '1d' },
    { name: 'reviews_per_hour_7d', aggregation: 'rate', window: '7d' },
    { name: 'last_label', aggregation: 'last', field: 'label', window: { last: 5 } },
    { name: 'reward_sum_1h', aggregation: 'sum', field: 'reward', window: '1h' },
    { name: 'verdicts_7d', aggregation: 'distinct_count', field: 'label', window: '7d' },
  ],
} as const;

const AUTHORS = ['anna', 'bartek', 'celina', 'dawid', 'ewa'];

/** Decisions about authors and their outcomes, spread over the last days (deterministic). */
export function history(n: number, offset = 0, reviewer = 'code-reviewer', now = Date.now()): NewEvent[] {
  const out: NewEvent[] = [];
  for (let i = offset; i < offset + n; i++) {
    const decisionId = uuidv7();
    const at = now - ((i * 7919) % (5 * 86_400_000)) - 3_600_000;
    const author = AUTHORS[i % AUTHORS.length]!;
    out.push({ id: uuidv7(), type: EventType.DecisionMade, stream: `decision-${decisionId}`, time: new Date(at).toISOString(), metadata: {},
      data: { decisionId, agent: i % 7 === 0 ? 'debugger' : reviewer, unitId: `pr-${i}`, value: 'approve', source: 'deterministic', reason: 'RULES', variant: 'deterministic', propensity: 1, latencyMs: 0, context: { author } } });
    if (i % 3 !== 0)
      out.push({ id: uuidv7(), type: EventType.OutcomeRecorded, stream: `decision-${decisionId}`, time: new Date(at + ((i * 31) % 50) * 60_000).toISOString(), metadata: {},
        data: { decisionId, label: (i * 13) % 5 < 3 ? 'approve' : 'request-changes', reward: ((i * 17) % 10) / 10, kind: 'explicit' } });
  }
  return out;
}

/**
 * The online store contract: run against every adapter (memory here, Redis in the int tier).
 * `make` returns a fresh store and a way to make it forget everything (a Redis restart).
 */
export function onlineStoreContract(name: string, make: () => Promise<{ online: OnlineStore; forget: () => Promise<void>; close: () => Promise<void> }>): void {
  describe(`online feature store contract: ${name}`, () => {
    let store: SqlEventStore;
    let online: OnlineStore;
    let forget: () => Promise<void>;
    let closeOnline: () => Promise<void>;
    let recorded: NewEvent[];
    let views: FeatureViewRegistry;
    const running: FeatureMaterialiser[] = [];
    const materialiser = (): FeatureMaterialiser => {
      const m = new FeatureMaterialiser({ store, online, views, sink: { record: (e) => void recorded.push(e) }, batchSize: 97, backfillBatchSize: 89, pollMs: 20, retryMs: 20 });
      running.push(m);
      m.start();
      return m;
    };

    // One event store for the file (PGlite's start is slow on a busy machine); each test has
    // its own reviewer agent and view, so their events never meet.
    let k = 0;
    let VIEW: string = AUTHOR_VIEW.name;
    let reviewer = 'code-reviewer';
    beforeAll(async () => {
      store = await createPgliteEventStore({ dataDir: 'memory://' });
      await store.migrate();
    });
    afterAll(() => store.close());
    beforeEach(async () => {
      ({ online, forget, close: closeOnline } = await make());
      recorded = [];
      k++;
      VIEW = `author-reliability-${k}`;
      reviewer = `code-reviewer-${k}`;
      views = new FeatureViewRegistry();
      views.define({ ...AUTHOR_VIEW, name: VIEW, source: { events: 'outcomes', agent: reviewer } });
    });
    afterEach(async () => {
      await Promise.all(running.splice(0).map((m) => m.stop()));
      await closeOnline();
    });

    /** Every author's online features equal brute force over the stored log, as of `now`. */
    async function expectExact(): Promise<void> {
      const v = views.require(VIEW);
      const log = await store.readAll({ limit: 10_000 });
      const inputs = viewInputsOf(v, log);
      const now = Date.now();
      for (const a of AUTHORS) {
        const got = readFeatures(v, await online.read(v.name, v.version, a), now);
        const want = bruteForceFeatures(v, inputs, a, now);
        for (const f of v.features) {
          const [g, w] = [got[f.name] as FeatureValue, want[f.name] as FeatureValue];
          if (typeof g === 'number' && typeof w === 'number') expect(g, `${a} ${f.name}`).toBeCloseTo(w, 9);
          else expect(g, `${a} ${f.name}`).toBe(w);
        }
      }
    }
    const live = async (m: FeatureMaterialiser, applied?: number): Promise<void> => {
      await pollUntil(() => { const s = m.status(VIEW); return s?.phase === 'live' && (applied === undefined || s.applied >= applied); }, { timeoutMs: 20_000, message: 'the view to be live' });
    };
    const outcomesOf = (evs: NewEvent[]): number => evs.filter((e) => e.type === EventType.OutcomeRecorded && (e.data as { decisionId: string }).decisionId !== undefined).length;
    const reviewerOutcomes = (evs: NewEvent[]): number => {
      const ids = new Set(evs.filter((e) => e.type === EventType.DecisionMade && (e.data as { agent: string }).agent === reviewer).map((e) => (e.data as { decisionId: string }).decisionId));
      return evs.filter((e) => e.type === EventType.OutcomeRecorded && ids.has((e.data as { decisionId: string }).decisionId)).length;
    };

    it('backfills a view from the whole log, then follows it live, equal to brute force', async () => {
      const first = history(400, 0, reviewer);
      await store.append(first);
      const m = materialiser();
      await live(m);
      expect(m.status(VIEW)?.applied).toBe(reviewerOutcomes(first));
      expect(recorded.map((e) => e.type)).toEqual([EventType.FeatureViewBackfilled]);
      await expectExact();
      const more = history(200, 400, reviewer);
      await store.append(more);
      await live(m, reviewerOutcomes([...first, ...more]));
      await expectExact();
      expect(outcomesOf(more)).toBeGreaterThan(0);
    });

    it('resumes from its checkpoint after a restart: every input applied exactly once', async () => {
      const all = history(600, 0, reviewer);
      await store.append(all.slice(0, 500));
      const a = materialiser();
      await live(a);
      await a.stop();
      await store.append(all.slice(500));
      // Outcomes whose decision the new process never saw are joined through the store.
      const b = materialiser();
      await live(b, reviewerOutcomes(all));
      expect(b.status(VIEW)?.applied).toBe(reviewerOutcomes(all));
      await expectExact();
    });

    it('backfills pages in memory and commits them together; a stop between commits loses nothing and applies nothing twice', async () => {
      const all = history(900, 0, reviewer);
      await store.append(all);
      const commits: { inputs: number; events: number }[] = [];
      const a: FeatureMaterialiser = new FeatureMaterialiser({
        store, online, views, batchSize: 97, backfillBatchSize: 89, backfillCommitEvents: 300, backfillCommitMs: 600_000, pollMs: 20, retryMs: 20,
        // Stop right after the first commit: the pages applied after it are never stored.
        onBatch: (_view, inputs, events) => {
          commits.push({ inputs, events });
          if (commits.length === 1) void a.stop();
        },
      });
      running.push(a);
      a.start();
      await pollUntil(() => commits.length >= 1, { timeoutMs: 20_000, message: 'the first backfill commit' });
      await a.stop();
      // One commit for at least 300 log events: 4 pages of 89, not one commit per page.
      expect(commits).toHaveLength(1);
      expect(commits[0]!.events).toBeGreaterThanOrEqual(300);
      expect(commits[0]!.events).toBeLessThan(300 + 89);
      const cp = await online.checkpoint(VIEW, 1);
      expect(cp).toMatchObject({ live: false, applied: commits[0]!.inputs });
      const b = materialiser();
      await live(b, reviewerOutcomes(all));
      expect(b.status(VIEW)?.applied).toBe(reviewerOutcomes(all));
      await expectExact();
    });

    it('two materialisers of one view never apply a batch twice (compare-and-set on the checkpoint)', async () => {
      const all = history(500, 0, reviewer);
      await store.append(all.slice(0, 250));
      const a = materialiser();
      const b = materialiser();
      await store.append(all.slice(250));
      await pollUntil(async () => (await online.checkpoint(VIEW, 1))?.applied === reviewerOutcomes(all), { timeoutMs: 20_000, message: 'both to catch up' });
      await live(a);
      await live(b);
      await expectExact();
    });

    it('refuses a commit from a stale checkpoint, writing nothing', async () => {
      const to = { cursor: '1-1', live: false, applied: 1, at: 1 };
      await online.commit('v', 1, new Map(), 60, undefined, to);
      await expect(online.commit('v', 1, new Map([['x', { u: 1, f: {} }]]), 60, undefined, { ...to, cursor: '2-2' })).rejects.toBeInstanceOf(ConflictError);
      expect(await online.read('v', 1, 'x')).toBeUndefined();
      expect(await online.checkpoint('v', 1)).toEqual(to);
    });

    it('rebuilds from the log when the store forgets everything, and records the loss', async () => {
      await store.append(history(300, 0, reviewer));
      const m = materialiser();
      await live(m);
      await forget();
      await pollUntil(() => recorded.some((e) => e.type === EventType.FeatureStoreLost), { timeoutMs: 20_000, message: 'the loss to be noticed' });
      await pollUntil(async () => (await online.checkpoint(VIEW, 1))?.live === true, { timeoutMs: 20_000, message: 'the rebuild' });
      await expectExact();
      expect(m.status(VIEW)?.losses).toBe(1);
      expect(recorded.filter((e) => e.type === EventType.FeatureViewBackfilled)).toHaveLength(2);
    });
  });
}
