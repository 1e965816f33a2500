import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventType, type DecisionData, type NewEvent, type StoredEvent } from '../../core/index.js';
import { parseAgentDefinition, type AgentDefinition } from '../../decisions/agents/agent-definition.js';
import { bruteForceFeatures, type FeatureValue } from '../../decisions/features/aggregation.js';
import { FeatureHistory, type HistoricalFeatures } from '../../decisions/features/feature-history.js';
import { parseFeatureView, type VersionedFeatureView } from '../../decisions/features/feature-view.js';
import { viewInputsOf } from '../../decisions/features/view-input.js';
import { START, type Cursor } from '../../log/index.js';
import { createPgliteEventStore } from '../../log/events/pglite-event-store.js';
import type { SqlEventStore } from '../../log/events/sql-event-store.js';
import { uuidv7 } from '../../core/ids.js';
import { decisionEvent, outcomeEvent } from '../../log/events/testing/fixtures.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { TrainingRow } from './agent-trainer.js';
import { TrainingLoop } from './training-loop.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const MIN = 60_000;
const AUTHORS = ['anna', 'bartek', 'celina', 'dawid', 'ewa'];

/** Each test has its own reviewer agent and view over its outcomes (one event store for the file). */
function viewOf(agent: string): VersionedFeatureView {
  return {
    ...parseFeatureView({
      name: `${agent}-authors`,
      entity: 'author',
      entityPath: 'context.author',
      source: { events: 'outcomes', agent },
      features: [
        { name: 'approve_rate', aggregation: 'mean', field: 'label', equals: 'approve', window: '7d' },
        { name: 'reviews_1d', aggregation: 'count', window: '1d' },
        { name: 'last_label', aggregation: 'last', field: 'label', window: { last: 3 } },
      ],
    }),
    version: 1,
    updatedAt: new Date(T0).toISOString(),
  };
}

/** The agent's spec before, and after it gained the view (three fields from it). */
function specsOf(agent: string): { before: AgentDefinition; after: AgentDefinition } {
  const base = { name: agent, kind: 'classification', labels: ['approve', 'reject'], feedback: 'label' } as const;
  const from = (feature: string) => ({ view: `${agent}-authors`, feature, entity: 'author' });
  return {
    before: parseAgentDefinition({ ...base, features: [{ name: 'files', type: 'numeric' }] }),
    after: parseAgentDefinition({
      ...base,
      features: [
        { name: 'files', type: 'numeric' },
        { name: 'authorApproveRate', type: 'numeric', from: from('approve_rate') },
        { name: 'authorReviews', type: 'numeric', from: from('reviews_1d') },
        { name: 'authorLastLabel', type: 'categorical', vocabulary: ['approve', 'reject'], from: from('last_label') },
      ],
    }),
  };
}
const VIEW_FIELDS = { authorApproveRate: 'approve_rate', authorReviews: 'reviews_1d', authorLastLabel: 'last_label' } as const;

/** Decision ids are UUIDs in the log: the test's names for them. */
const ids = new Map<string, string>();
const idOf = (name: string, at: number): string => {
  let id = ids.get(name);
  if (!id) ids.set(name, (id = uuidv7(at)));
  return id;
};

/** One decision of a seeded history, and its outcome (minutes later) if it gets one. */
const rowArb = fc.record({
  jitter: fc.integer({ min: 0, max: 29 }),
  author: fc.constantFrom(...AUTHORS),
  otherAgent: fc.integer({ min: 0, max: 99 }).map((x) => x < 15),
  files: fc.integer({ min: 0, max: 39 }),
  outcome: fc.option(fc.record({ late: fc.oneof(fc.integer({ min: 1, max: 240 }), fc.integer({ min: 1, max: 3 * 24 * 60 })), roll: fc.double({ min: 0, max: 1, noNaN: true }) }), { freq: 4, nil: undefined }),
});

/**
 * A seeded history in time order: decisions of the reviewer (and of another agent) about five
 * authors, some outcomes minutes to days later, some never. Authors differ in reliability.
 */
function seededHistory(agent: string, seed: number, n: number, from: number): NewEvent[] {
  const rows = fc.sample(fc.array(rowArb, { minLength: n, maxLength: n }), { seed, numRuns: 1 })[0]!;
  const events: { at: number; e: NewEvent }[] = [];
  rows.forEach((r, i) => {
    const at = from + (i * 37 + r.jitter) * MIN;
    const who = r.otherAgent ? 'debugger' : agent;
    const id = idOf(`${agent}-d${i}`, at);
    events.push({ at, e: decisionEvent({ decisionId: id, agent: who, value: 'approve', deterministic: 'approve', context: { author: r.author, files: r.files }, features: { files: r.files } }, new Date(at)) });
    if (r.outcome) {
      const late = at + r.outcome.late * MIN;
      const approve = r.outcome.roll < (AUTHORS.indexOf(r.author) + 1) / 6;
      events.push({ at: late, e: outcomeEvent(id, { label: approve ? 'approve' : 'reject', agent: who }, new Date(late)) });
    }
  });
  return events.sort((x, y) => x.at - y.at).map((x) => x.e);
}

const registry = { register: () => Promise.reject(new Error('not in this test')), setAlias: () => undefined } as unknown as ModelRegistry;

interface Run {
  /** Rows learned, by decision id (the last one learned for it: the replay's). */
  readonly rows: Map<string, TrainingRow>;
  readonly loop: TrainingLoop;
}

/**
 * The scenario: the loop follows the seeded history with the spec without the view, then the
 * spec gains the view and new decisions log the values served (`featureViews`); the loop goes
 * on. Returns every row it learned.
 */
async function scenario(store: SqlEventStore, agent: string, history: (h: FeatureHistory) => HistoricalFeatures, seed: number): Promise<Run> {
  const view = viewOf(agent);
  const { before, after } = specsOf(agent);
  let def: AgentDefinition = before;
  const rows = new Map<string, TrainingRow>();
  const loop = new TrainingLoop({ agents: (a) => (a === agent ? def : undefined), registry, minSamples: 1e9, log: store, history: history(new FeatureHistory({ store, views: { get: (n) => (n === view.name ? view : undefined) } })), onRow: (_, id, row) => rows.set(id, row), onError: (e) => { throw e; } });
  let cursor: Cursor = START;
  const follow = async (): Promise<void> => {
    for (;;) {
      const page = await store.readPage({ after: cursor, limit: 149, types: [EventType.DecisionMade, EventType.OutcomeRecorded] });
      await loop.apply(page.events, page.cursor);
      cursor = page.cursor;
      if (!page.more) return;
    }
  };
  // The history, and five decisions whose outcomes come only after the spec changed.
  const end = T0 + 250 * 37 * MIN;
  const waiting = AUTHORS.map((author, i) => decisionEvent({ decisionId: idOf(`${agent}-wait${i}`, end), agent, context: { author, files: i }, features: { files: i } }, new Date(end - (i + 1) * MIN)));
  await store.append([...seededHistory(agent, seed, 250, T0), ...waiting]);
  await follow();
  def = after;
  // Decisions made with the view in the spec log the values served: training keeps them.
  const served: NewEvent[] = [];
  for (let i = 0; i < 20; i++) {
    const at = end + i * 10 * MIN;
    const id = idOf(`${agent}-served${i}`, at);
    served.push(
      decisionEvent({ decisionId: id, agent, context: { author: AUTHORS[i % 5], files: i }, features: { files: i, authorApproveRate: 0.5 + i / 100, authorReviews: 1000 + i }, featureViews: { [view.name]: { entity: AUTHORS[i % 5]!, status: 'fresh' } } }, new Date(at)),
      outcomeEvent(id, { label: 'approve', agent }, new Date(at + MIN)),
    );
  }
  await store.append([...served, ...AUTHORS.map((_, i) => outcomeEvent(idOf(`${agent}-wait${i}`, end), { label: 'reject', agent }, new Date(end + 300 * MIN)))]);
  await follow();
  return { rows, loop };
}

/** Every row of a decision that did not log the view, checked against a brute-force as-of computation over the whole log. */
async function mismatches(store: SqlEventStore, agent: string, rows: ReadonlyMap<string, TrainingRow>): Promise<{ checked: number; bad: string[]; nonNull: number }> {
  const view = viewOf(agent);
  const log: StoredEvent[] = await store.readAll({ limit: 10_000 });
  const inputs = viewInputsOf(view, log);
  const bad: string[] = [];
  let checked = 0;
  let nonNull = 0;
  for (const e of log) {
    if (e.type !== EventType.DecisionMade) continue;
    const d = e.data as DecisionData;
    const row = rows.get(d.decisionId);
    if (!row || d.featureViews) continue;
    checked++;
    const want = bruteForceFeatures(view, inputs, (d.context as { author: string }).author, Date.parse(e.time));
    for (const [field, feature] of Object.entries(VIEW_FIELDS)) {
      const got = row.features[field] as FeatureValue | undefined;
      if (got !== want[feature]) bad.push(`${d.decisionId} ${field}: got ${String(got)}, want ${String(want[feature])}`);
      if (got !== null && got !== undefined && feature !== 'reviews_1d') nonNull++;
    }
  }
  return { checked, bad, nonNull };
}

// One embedded store for the file (PGlite's start took over 60 s on a loaded host); each test has
// its own agent and view. A scenario took up to 100 s there (vitest's default is 60 s).
describe('training rows of a feature view added to an agent later (point-in-time backfill)', { timeout: 240_000 }, () => {
  let store: SqlEventStore;
  beforeAll(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://' });
    await store.migrate();
  }, 240_000);
  afterAll(() => store.close());

  it.each([1, 2])('old decisions train with the values as of their time, equal to brute force (seed %i)', async (seed) => {
    const agent = `reviewer-${seed}`;
    const { rows, loop } = await scenario(store, agent, (h) => h, seed);
    const { checked, bad, nonNull } = await mismatches(store, agent, rows);
    expect(bad).toEqual([]);
    // The replay relearned the joined history; the view had something to say for most rows.
    expect(loop.stats.replayed).toBeGreaterThan(80);
    expect(checked).toBeGreaterThan(80);
    expect(nonNull).toBeGreaterThan(checked);
    // Decisions served with the view keep what was served.
    for (let i = 0; i < 20; i++) expect(rows.get(ids.get(`${agent}-served${i}`)!)?.features).toMatchObject({ authorApproveRate: 0.5 + i / 100, authorReviews: 1000 + i });
    expect(rows.get(ids.get(`${agent}-served0`)!)?.features).not.toHaveProperty('authorLastLabel');
    // Decisions still waiting for their outcome when the view was added train with their as-of values.
    for (let i = 0; i < AUTHORS.length; i++) expect(rows.get(ids.get(`${agent}-wait${i}`)!)?.features).toMatchObject({ authorReviews: expect.any(Number) });
  });

  it('the same check catches a history that leaks values from after the decision', async () => {
    // Reads each view as of two days after the decision instead of its time.
    const leaky = (h: FeatureHistory): HistoricalFeatures => ({ fill: (def, ds, upTo) => h.fill(def, ds.map((d) => ({ ...d, time: d.time + 2 * 86_400_000 })), upTo) });
    const { rows } = await scenario(store, 'reviewer-leaky', leaky, 1);
    const { checked, bad } = await mismatches(store, 'reviewer-leaky', rows);
    expect(checked).toBeGreaterThan(80);
    expect(bad.length).toBeGreaterThan(checked / 2);
  });

  it('without a history the old rows keep missing the view fields (what the check would catch)', async () => {
    const { rows, loop } = await scenario(store, 'reviewer-blind', () => ({ fill: () => Promise.resolve(new Map()) }), 1);
    expect(loop.stats.filled).toBe(0);
    expect((await mismatches(store, 'reviewer-blind', rows)).bad.length).toBeGreaterThan(80);
  });
});
