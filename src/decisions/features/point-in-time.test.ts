import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventType } from '../../core/index.js';
import { applyInput, bruteForceFeatures, emptyState, readFeatures, type EntityState, type FeatureValue, type ViewInput } from './aggregation.js';
import { parseFeatureView, type FeatureViewDefinition } from './feature-view.js';
import { decisionRequests, joinInputs, pointInTimeJoin, type AsOfRequest } from './point-in-time.js';
import { viewInputsOf, type LogEvent } from './view-input.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const MIN = 60_000;
const AUTHORS = ['anna', 'bartek', 'celina', 'dawid'];

/** A seeded history: decisions of two agents about four authors, outcomes some minutes to days later. */
const history = fc
  .array(
    fc.record({
      agent: fc.constantFrom('code-reviewer', 'debugger'),
      author: fc.constantFrom(...AUTHORS),
      at: fc.integer({ min: 0, max: 45 * 24 * 60 }), // minutes: spans every window, ties happen
      lines: fc.integer({ min: 0, max: 500 }),
      outcome: fc.option(fc.record({ after: fc.integer({ min: 0, max: 10 * 24 * 60 }), label: fc.constantFrom('approve', 'request-changes'), reward: fc.double({ min: -1, max: 1, noNaN: true }) }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 120 },
  )
  .map((rows) => {
    const log: LogEvent[] = [];
    rows.forEach((r, i) => {
      const decisionId = `d-${i}`;
      log.push({ type: EventType.DecisionMade, time: new Date(T0 + r.at * MIN).toISOString(), data: { decisionId, agent: r.agent, unitId: `pr-${i}`, value: 'approve', context: { author: r.author, lines: r.lines }, features: { lines: r.lines } } });
      if (r.outcome) log.push({ type: EventType.OutcomeRecorded, time: new Date(T0 + (r.at + r.outcome.after) * MIN).toISOString(), data: { decisionId, agent: r.agent, label: r.outcome.label, reward: r.outcome.reward, kind: 'explicit' } });
    });
    return log;
  });

const windowArb = fc.oneof(fc.constantFrom('1h', '1d', '7d', '30d'), fc.integer({ min: 1, max: 8 }).map((last) => ({ last })));
const featureArb = fc.record({
  aggregation: fc.constantFrom('count', 'sum', 'mean', 'last', 'distinct_count', 'rate'),
  window: windowArb,
});

/** A random view over outcomes (joined) or decisions, with random aggregations and windows. */
const viewArb = fc.record({ outcomes: fc.boolean(), features: fc.array(featureArb, { minLength: 1, maxLength: 6 }) }).map(({ outcomes, features }) =>
  parseFeatureView({
    name: 'author-history',
    entity: 'author',
    entityPath: 'context.author',
    source: { events: outcomes ? 'outcomes' : 'decisions', agent: 'code-reviewer' },
    features: features.map((f, i) => ({
      name: `f${i}`,
      aggregation: f.aggregation,
      window: f.aggregation === 'rate' && typeof f.window !== 'string' ? '1d' : f.window,
      ...(f.aggregation === 'count' || f.aggregation === 'rate'
        ? {}
        : outcomes
          ? i % 2 === 0
            ? { field: 'label', equals: 'approve' }
            : { field: f.aggregation === 'distinct_count' || f.aggregation === 'last' ? 'label' : 'reward' }
          : { field: 'context.lines' }),
    })),
  }),
);

const requestsArb = fc.array(fc.record({ author: fc.constantFrom(...AUTHORS, 'nobody'), at: fc.integer({ min: 0, max: 60 * 24 * 60 }) }), { minLength: 1, maxLength: 40 });

type Join = (view: FeatureViewDefinition, log: readonly LogEvent[], requests: readonly AsOfRequest[]) => Map<string, Record<string, FeatureValue>>;

const close = (a: FeatureValue, b: FeatureValue): boolean =>
  typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) : a === b;

/** The checker: every row of `join` equals the brute-force as-of computation. Returns the mismatches. */
function mismatches(join: Join, view: FeatureViewDefinition, log: readonly LogEvent[], requests: readonly AsOfRequest[]): string[] {
  const inputs = viewInputsOf(view, log);
  const rows = join(view, log, requests);
  const bad: string[] = [];
  for (const r of requests) {
    const want = bruteForceFeatures(view, inputs, r.entity, r.time);
    const got = rows.get(r.key);
    for (const f of view.features)
      if (!got || !close(got[f.name]!, want[f.name]!)) bad.push(`${r.key} ${f.name}: got ${String(got?.[f.name])}, want ${String(want[f.name])}`);
  }
  return bad;
}

/**
 * A deliberately leaking join: outcomes are placed at their decision's time (the classic
 * label leak: a row sees the outcome of a decision made before it even if the outcome
 * arrived after the row's time).
 */
const leakyJoin: Join = (view, log, requests) => {
  const decidedAt = new Map<string, string>();
  for (const e of log) if (e.type === EventType.DecisionMade) decidedAt.set((e.data as { decisionId: string }).decisionId, e.time);
  const shifted = log.map((e) => (e.type === EventType.OutcomeRecorded ? { ...e, time: decidedAt.get((e.data as { decisionId: string }).decisionId) ?? e.time } : e));
  return joinInputs(view, viewInputsOf(view, shifted), requests);
};

const asRequests = (rs: readonly { author: string; at: number }[]): AsOfRequest[] => rs.map((r, i) => ({ key: `r${i}`, entity: r.author, time: T0 + r.at * MIN }));

describe('point-in-time join', () => {
  it('every training row equals the brute-force as-of computation (seeded histories)', () => {
    fc.assert(
      fc.property(viewArb, history, requestsArb, (view, log, rs) => {
        expect(mismatches(pointInTimeJoin, view, log, asRequests(rs))).toEqual([]);
      }),
      { seed: 13, numRuns: 300 },
    );
  });

  it('the same checker catches a join that leaks outcomes back to their decision time', () => {
    const view = parseFeatureView({
      name: 'author-history',
      entity: 'author',
      entityPath: 'context.author',
      source: { events: 'outcomes', agent: 'code-reviewer' },
      features: [{ name: 'approve_rate', aggregation: 'mean', field: 'label', equals: 'approve', window: '30d' }],
    });
    // Over the seeded histories, the leaking join is found out on some (where an outcome arrives after a later row).
    let caught = 0;
    let runs = 0;
    fc.assert(
      fc.property(history, requestsArb, (log, rs) => {
        runs++;
        if (mismatches(leakyJoin, view, log, asRequests(rs)).length > 0) caught++;
        expect(mismatches(pointInTimeJoin, view, log, asRequests(rs))).toEqual([]);
      }),
      { seed: 13, numRuns: 200 },
    );
    expect(caught).toBeGreaterThan(runs / 10);
  });

  it('the streamed (bucketed) state read at any time after its inputs equals brute force', () => {
    fc.assert(
      fc.property(viewArb, history, fc.integer({ min: 0, max: 90 * 24 * 60 }), (view, log, later) => {
        const inputs = viewInputsOf(view, log);
        const states = new Map<string, EntityState>();
        // Log order, not time order: the materialiser applies events as the log delivers them.
        for (const x of inputs) {
          let s = states.get(x.entity);
          if (!s) states.set(x.entity, (s = emptyState()));
          applyInput(view, s, x);
          // A round trip through JSON, as the Redis store keeps it.
          states.set(x.entity, JSON.parse(JSON.stringify(s)) as EntityState);
        }
        const at = Math.max(...inputs.map((x: ViewInput) => x.time), T0) + 1 + later * MIN;
        for (const a of AUTHORS) {
          const got = readFeatures(view, states.get(a), at);
          const want = bruteForceFeatures(view, inputs, a, at);
          for (const f of view.features) expect(close(got[f.name]!, want[f.name]!), `${a} ${f.name} ${String(got[f.name])} vs ${String(want[f.name])}`).toBe(true);
        }
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('rows for an agent come from its decisions, keyed by decision id, as of each decision', () => {
    const log: LogEvent[] = [
      { type: EventType.DecisionMade, time: '2026-01-01T10:00:00Z', data: { decisionId: 'a', agent: 'code-reviewer', context: { author: 'anna' } } },
      { type: EventType.OutcomeRecorded, time: '2026-01-01T11:00:00Z', data: { decisionId: 'a', label: 'approve', kind: 'explicit' } },
      { type: EventType.DecisionMade, time: '2026-01-01T10:30:00Z', data: { decisionId: 'b', agent: 'code-reviewer', context: { author: 'anna' } } },
      { type: EventType.DecisionMade, time: '2026-01-01T12:00:00Z', data: { decisionId: 'c', agent: 'code-reviewer', context: { author: 'anna' } } },
    ];
    const view = parseFeatureView({ name: 'v', entity: 'author', entityPath: 'context.author', source: { events: 'outcomes' }, features: [{ name: 'n', aggregation: 'count', window: '1d' }] });
    const rows = pointInTimeJoin(view, log, decisionRequests(log, 'code-reviewer', 'author'));
    expect(Object.fromEntries([...rows].map(([k, v]) => [k, v['n']]))).toEqual({ a: 0, b: 0, c: 1 });
  });
});

describe('feature view definitions', () => {
  it('name every bad field', () => {
    expect(() =>
      parseFeatureView({ name: 'Bad Name', entity: 'author', entityPath: 'context.author', source: { events: 'decisions' }, features: [{ name: 'm', aggregation: 'mean', window: '2h' }] }),
    ).toThrow(expect.objectContaining({ issues: expect.arrayContaining([expect.objectContaining({ path: 'name' }), expect.objectContaining({ path: 'features.0.window' })]) }));
    expect(() =>
      parseFeatureView({ name: 'v', entity: 'author', entityPath: 'context.author', source: { events: 'decisions' }, features: [{ name: 'm', aggregation: 'mean', window: '1h' }, { name: 'r', aggregation: 'rate', window: { last: 3 } }] }),
    ).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: 'features.0.field' }), expect.objectContaining({ path: 'features.1.window' })] }));
  });

  it('fill in the TTL and the loss policy', () => {
    const v = parseFeatureView({ name: 'v', entity: 'author', entityPath: 'context.author', source: { events: 'decisions' }, features: [{ name: 'n', aggregation: 'count', window: '1h' }] });
    expect(v).toMatchObject({ ttlSeconds: 30 * 86_400, onLoss: 'stale' });
  });
});
