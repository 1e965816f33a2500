import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyInput, cloneState, emptyState, readFeatures, type EntityState } from './aggregation.js';
import { parseFeatureView } from './feature-view.js';
import { decodeState, encodeState } from './state-codec.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const view = parseFeatureView({
  name: 'author-reliability',
  entity: 'author',
  entityPath: 'context.author',
  source: { events: 'outcomes', agent: 'code-reviewer' },
  features: [
    { name: 'approve_rate_30d', aggregation: 'mean', field: 'reward', window: '30d' },
    { name: 'reviews_1d', aggregation: 'count', window: '1d' },
    { name: 'reviews_per_hour_7d', aggregation: 'rate', window: '7d' },
    { name: 'reward_sum_1h', aggregation: 'sum', field: 'reward', window: '1h' },
    { name: 'kinds_7d', aggregation: 'distinct_count', field: 'kind', window: '7d' },
    { name: 'last_kind', aggregation: 'last', field: 'kind', window: '30d' },
    { name: 'last_reward', aggregation: 'last', field: 'reward', window: { last: 5 } },
  ],
});

const inputs = fc.array(
  fc.record({
    minute: fc.integer({ min: 0, max: 40 * 24 * 60 }),
    reward: fc.option(fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }).map((x) => x + 0 /* JSON has no -0 */), fc.boolean()), { nil: undefined }),
    kind: fc.option(fc.constantFrom('explicit', 'implicit', 'timeout'), { nil: undefined }),
  }),
  { maxLength: 200 },
);

function stateOf(rows: { minute: number; reward?: number | boolean; kind?: string }[]): EntityState {
  const s = emptyState();
  rows.forEach((r, seq) => applyInput(view, s, { entity: 'a', time: T0 + r.minute * 60_000, seq, data: { reward: r.reward, kind: r.kind } }));
  return s;
}

describe('online-store wire form of an entity state', () => {
  it('decodes to exactly the state encoded, and reads the same features at any time', () => {
    fc.assert(
      fc.property(inputs, fc.integer({ min: 0, max: 45 * 24 * 60 }), (rows, at) => {
        const s = stateOf(rows);
        const back = decodeState(encodeState(s));
        expect(back).toEqual(s);
        expect(readFeatures(view, back, T0 + at * 60_000)).toEqual(readFeatures(view, s, T0 + at * 60_000));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps -Infinity (a state or bucket without an event), which JSON cannot', () => {
    expect(decodeState(encodeState(emptyState()))).toEqual({ u: -Infinity, f: {} });
    const s: EntityState = { u: T0, f: { reviews_1d: [{ i: 5, c: 0, s: 0, n: 0, lt: -Infinity, lq: -Infinity, lv: null }] } };
    expect(decodeState(encodeState(s))).toEqual(s);
  });

  it('still reads a state written in the old form (plain JSON of the in-memory shape)', () => {
    const s = stateOf([{ minute: 1, reward: 1, kind: 'explicit' }, { minute: 90, reward: 0, kind: 'implicit' }]);
    expect(decodeState(JSON.stringify(s))).toEqual(s);
    expect(decodeState(JSON.stringify(emptyState()))).toEqual(emptyState());
  });

  it('is much smaller than JSON of the in-memory shape for a full state', () => {
    const s = stateOf(Array.from({ length: 400 }, (_, i) => ({ minute: i * 108, reward: (i % 5) / 4, kind: i % 3 ? 'explicit' : 'implicit' })));
    expect(encodeState(s).length).toBeLessThan(JSON.stringify(s).length * 0.6);
  });

  it('cloneState copies deeply: equal to the state, and applying to the copy leaves the original as it was', () => {
    fc.assert(
      fc.property(inputs, inputs, (rows, more) => {
        const s = stateOf(rows);
        const snapshot = structuredClone(s);
        const c = cloneState(s);
        expect(c).toStrictEqual(snapshot);
        more.forEach((r, k) => applyInput(view, c, { entity: 'a', time: T0 + r.minute * 60_000, seq: rows.length + k, data: { reward: r.reward, kind: r.kind } }));
        expect(s).toStrictEqual(snapshot);
      }),
      { numRuns: 200 },
    );
  });
});
