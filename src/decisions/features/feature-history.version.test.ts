import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionData, StoredEvent } from '../../core/index.js';
import { createPgliteEventStore } from '../../log/events/pglite-event-store.js';
import type { SqlEventStore } from '../../log/events/sql-event-store.js';
import { decisionEvent, outcomeEvent } from '../../log/events/testing/fixtures.js';
import { parseAgentDefinition } from '../agents/agent-definition.js';
import { bruteForceFeatures } from './aggregation.js';
import { FeatureHistory, servedFits, unservedViews, type PastDecision } from './feature-history.js';
import { parseFeatureView, type VersionedFeatureView } from './feature-view.js';
import { viewInputsOf } from './view-input.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const H = 3_600_000;
const base = { name: 'authors', entity: 'author', entityPath: 'context.author', source: { events: 'outcomes', agent: 'reviewer' } } as const;
const v1: VersionedFeatureView = { ...parseFeatureView({ ...base, features: [{ name: 'reviews', aggregation: 'count', window: '1d' }] }), version: 1, updatedAt: new Date(T0).toISOString() };
/** The window changed: other values under the same name. */
const v2: VersionedFeatureView = { ...parseFeatureView({ ...base, features: [{ name: 'reviews', aggregation: 'count', window: '7d' }] }), version: 2, updatedAt: new Date(T0).toISOString() };
const reviewer = parseAgentDefinition({
  name: 'reviewer',
  kind: 'classification',
  labels: ['approve', 'reject'],
  features: [
    { name: 'files', type: 'numeric' },
    { name: 'authorReviews', type: 'numeric', from: { view: 'authors', feature: 'reviews', entity: 'author' } },
  ],
});

// Issue 13: a view redefined gives other values under the same field names. Training rows must
// hold the current definition's values as of each decision's time; a decision served by an older
// version of the view logged the old definition's values, so those are recomputed, while values
// the current version served (or logged before versions were) stay what was served.
describe('training values of decisions served by an older version of a view', () => {
  let store: SqlEventStore;
  const decisions: PastDecision[] = [];
  beforeAll(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://' });
    await store.migrate();
    // anna reviewed every 6 hours over 4 days (each decision with its outcome an hour later).
    const events = [];
    for (let i = 0; i < 16; i++) {
      const d = decisionEvent({ agent: 'reviewer', context: { author: 'anna' }, features: { files: i } }, new Date(T0 + i * 6 * H));
      events.push(d, outcomeEvent(d.data.decisionId, { label: 'approve', agent: 'reviewer' }, new Date(T0 + i * 6 * H + H)));
    }
    // Four decisions on day 4: served by v1, by v2, logged before versions, and not served.
    const at = T0 + 4 * 24 * H;
    const logged = [{ entity: 'anna', status: 'fresh' as const, version: 1 }, { entity: 'anna', status: 'fresh' as const, version: 2 }, { entity: 'anna', status: 'fresh' as const }, undefined];
    logged.forEach((fv, k) => {
      const d = decisionEvent({ agent: 'reviewer', context: { author: 'anna' }, features: { files: k, ...(fv ? { authorReviews: 1000 + k } : {}) }, ...(fv ? { featureViews: { authors: fv } } : {}) }, new Date(at + k * 60_000));
      events.push(d);
      decisions.push({ decisionId: d.data.decisionId, time: at + k * 60_000, context: d.data.context, featureViews: (d.data as DecisionData).featureViews });
    });
    await store.append(events);
  });
  afterAll(() => store.close());

  it('recomputes, as of the decision, the values an older version served; keeps what this version served', async () => {
    const history = new FeatureHistory({ store, views: { get: (n) => (n === 'authors' ? v2 : undefined) } });
    const last = (await store.readAll({ limit: 1000 })).at(-1)!;
    const filled = await history.fill(reviewer, decisions, { position: last.position, transactionId: last.transactionId });
    const log: StoredEvent[] = await store.readAll({ limit: 1000 });
    const want = (k: number) => bruteForceFeatures(v2, viewInputsOf(v2, log), 'anna', decisions[k]!.time).reviews;
    // Served by v1 (a 1-day count, 4) and never served: the 7-day count as of their time (16).
    expect(want(0)).toBe(16);
    expect(bruteForceFeatures(v1, viewInputsOf(v1, log), 'anna', decisions[0]!.time).reviews).toBe(4);
    expect(filled.get(decisions[0]!.decisionId)).toEqual({ authorReviews: want(0) });
    expect(filled.get(decisions[3]!.decisionId)).toEqual({ authorReviews: want(3) });
    // Served by v2, or logged without a version: kept as served.
    expect(filled.has(decisions[1]!.decisionId)).toBe(false);
    expect(filled.has(decisions[2]!.decisionId)).toBe(false);
  });

  it('the training loop asks for exactly those decisions', () => {
    const versionOf = (n: string) => (n === 'authors' ? 2 : undefined);
    expect(decisions.map((d) => unservedViews(reviewer, d, versionOf))).toEqual([['authors'], [], [], ['authors']]);
    // Without versions known (an older HistoricalFeatures), only the decision that logged nothing.
    expect(decisions.map((d) => unservedViews(reviewer, d))).toEqual([[], [], [], ['authors']]);
    expect([servedFits(undefined, 2), servedFits({ version: 1 }, 2), servedFits({ version: 2 }, 2), servedFits({}, 2), servedFits({ version: 1 }, undefined)]).toEqual([false, false, true, true, true]);
  });
});
