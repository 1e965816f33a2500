import { describe, expect, it } from 'vitest';
import { EventType, type DecisionData, type NewEvent } from '../core/index.js';
import type { EventStore } from '../log/index.js';
import { CachedDecisionReader } from './cached-decision-reader.js';
import { hashContext } from './context-hash.js';

// The reader's in-process cache (L1) and its fallback to the store, without Redis (the L2 path
// is exercised against a real Redis in the integration tier). The store is a stand-in that
// answers the two queries the reader makes from rows shaped like `decisions_with_outcomes`.

const T = '2025-04-01T10:00:00.000Z';
const data = (id: string, context: unknown = { files: id.length }): DecisionData =>
  ({ decisionId: id, agent: 'triage', unitId: `u-${id}`, value: 'low', deterministic: 'low', source: 'deterministic', reason: 'RULES', variant: 'deterministic', propensity: 1, latencyMs: 1, context, contextHash: hashContext('triage', context) }) as DecisionData;
const made = (d: DecisionData, time = T): NewEvent => ({ id: `e-${d.decisionId}`, type: EventType.DecisionMade, stream: `decision-${d.decisionId}`, data: d, metadata: {}, time });
const outcome = (decisionId: string, time = T): NewEvent => ({ id: `o-${decisionId}`, type: EventType.OutcomeRecorded, stream: `decision-${decisionId}`, data: { decisionId, label: 'high', kind: 'explicit' }, metadata: {}, time });
const row = (id: string, withOutcome: boolean): Record<string, unknown> => ({
  decision_id: id,
  agent: 'triage',
  unit_id: `u-${id}`,
  value: 'low',
  deterministic: 'low',
  source: 'deterministic',
  reason: 'RULES',
  model_version: null,
  variant: 'deterministic',
  propensity: 1,
  latency_ms: 1,
  features: null,
  context: { files: 1 },
  subject_id: null,
  context_hash: 'h',
  decided_at: T,
  ...(withOutcome ? { outcome_kind: 'explicit', outcome_label: 'high', outcome_value: null, outcome_reward: null, outcome_rating: null, outcome_at: T } : { outcome_kind: null }),
});

/** A store stand-in: the rows it holds by decision id, and every query it was asked. */
function storeWith(rows: Record<string, Record<string, unknown>>) {
  const queries: [string, unknown[]][] = [];
  const store = {
    query: async (sql: string, params: unknown[] = []) => {
      queries.push([sql, params]);
      if (sql.includes('decision_id = $1')) return rows[String(params[0])] ? [rows[String(params[0])]] : [];
      if (sql.includes('context_hash = $2')) return Object.values(rows).filter((r) => r.agent === params[0] && r.context_hash === params[1]).slice(0, 1);
      throw new Error(`unexpected query ${sql}`);
    },
  } as unknown as EventStore;
  return { store, queries };
}

describe('CachedDecisionReader without Redis', () => {
  it('a decision this process recorded is read from L1, with its time, and the store is not asked', async () => {
    const { store, queries } = storeWith({});
    const reader = new CachedDecisionReader({ store });
    reader.observe(made(data('d1')));
    expect(await reader.get('d1')).toEqual({ decision: { ...data('d1'), decidedAt: T } });
    expect(reader.stats()).toEqual({ l1Hits: 1, l2Hits: 0, storeHits: 0, misses: 0 });
    expect(queries).toEqual([]);
  });

  it('an outcome joins its cached decision with its time; an outcome of an uncached decision caches nothing', async () => {
    const { store } = storeWith({});
    const reader = new CachedDecisionReader({ store });
    reader.observe(made(data('d1')));
    reader.observe(outcome('d1', '2025-04-01T11:00:00.000Z'));
    expect(await reader.get('d1')).toEqual({ decision: { ...data('d1'), decidedAt: T }, outcome: { decisionId: 'd1', label: 'high', kind: 'explicit', recordedAt: '2025-04-01T11:00:00.000Z' } });
    reader.observe(outcome('d2'));
    expect(await reader.get('d2')).toBeUndefined();
    expect(reader.stats()).toEqual({ l1Hits: 1, l2Hits: 0, storeHits: 0, misses: 1 });
  });

  it('other event types are ignored', async () => {
    const { store } = storeWith({});
    const reader = new CachedDecisionReader({ store });
    reader.observe({ ...made(data('d1')), type: 'SomethingElse' } as NewEvent);
    expect(await reader.get('d1')).toBeUndefined();
  });

  it('from the store: a settled decision (with its outcome) is cached, one still waiting for its outcome is not', async () => {
    const { store, queries } = storeWith({ settled: row('settled', true), open: row('open', false) });
    const reader = new CachedDecisionReader({ store });
    const settled = await reader.get('settled');
    expect(settled?.outcome).toMatchObject({ decisionId: 'settled', label: 'high', kind: 'explicit' });
    expect(await reader.get('settled')).toEqual(settled);
    expect((await reader.get('open'))?.outcome).toBeUndefined();
    await reader.get('open');
    expect(reader.stats()).toEqual({ l1Hits: 1, l2Hits: 0, storeHits: 3, misses: 0 });
    expect(queries.map(([sql, p]) => [sql, p])).toEqual([
      ['SELECT * FROM decisions_with_outcomes WHERE decision_id = $1::uuid', ['settled']],
      ['SELECT * FROM decisions_with_outcomes WHERE decision_id = $1::uuid', ['open']],
      ['SELECT * FROM decisions_with_outcomes WHERE decision_id = $1::uuid', ['open']],
    ]);
  });

  it('evict() forgets a decision locally: the next read goes to the store', async () => {
    const { store } = storeWith({});
    const reader = new CachedDecisionReader({ store });
    reader.observe(made(data('d1')));
    reader.evict('d1');
    expect(await reader.get('d1')).toBeUndefined();
    expect(reader.stats().misses).toBe(1);
  });

  it('getDecision: an equal context this process decided is found without the store, key order ignored', async () => {
    const { store, queries } = storeWith({});
    const reader = new CachedDecisionReader({ store });
    reader.observe(made(data('d1', { a: 1, b: 2 })));
    expect((await reader.getDecision('triage', { b: 2, a: 1 }))?.decision.decisionId).toBe('d1');
    expect(await reader.getDecision('other-agent', { a: 1, b: 2 })).toBeUndefined();
    expect(queries.map(([sql, p]) => [sql, p])).toEqual([
      ['SELECT * FROM decisions_with_outcomes WHERE agent = $1 AND context_hash = $2 ORDER BY decided_at DESC LIMIT 1', ['other-agent', hashContext('other-agent', { a: 1, b: 2 })]],
    ]);
  });

  it('getDecision from the store remembers the decision id of the context', async () => {
    const context = { files: 9 };
    const hash = hashContext('triage', context);
    const { store, queries } = storeWith({ d9: { ...row('d9', false), context_hash: hash } });
    const reader = new CachedDecisionReader({ store });
    expect((await reader.getDecision('triage', context))?.decision.decisionId).toBe('d9');
    expect((await reader.getDecision('triage', context))?.decision.decisionId).toBe('d9');
    // The second read went by id (the context is known), not by context hash again.
    expect(queries.map(([sql]) => (sql.includes('context_hash') ? 'by context' : 'by id'))).toEqual(['by context', 'by id']);
  });

  it('bounds: l1Max bounds both caches (default 50,000); evictions of the least recently used are counted', () => {
    const { store } = storeWith({});
    expect(new CachedDecisionReader({ store }).bounds()).toEqual({
      decisions: { size: 0, capacity: 50_000, evictions: 0 },
      contexts: { size: 0, capacity: 50_000, evictions: 0 },
    });
    const reader = new CachedDecisionReader({ store, l1Max: 2 });
    for (const id of ['a', 'bb', 'ccc']) reader.observe(made(data(id)));
    expect(reader.bounds()).toEqual({
      decisions: { size: 2, capacity: 2, evictions: 1 },
      contexts: { size: 2, capacity: 2, evictions: 1 },
    });
    reader.evict('bb');
    expect(reader.bounds().decisions).toEqual({ size: 1, capacity: 2, evictions: 1 });
  });

  it('stats() is a copy', async () => {
    const { store } = storeWith({});
    const reader = new CachedDecisionReader({ store });
    const before = reader.stats();
    await reader.get('nothing');
    expect(before.misses).toBe(0);
    expect(reader.stats().misses).toBe(1);
  });

  it('cacheEvents without Redis does nothing', async () => {
    const { store, queries } = storeWith({});
    await new CachedDecisionReader({ store }).cacheEvents([made(data('d1'))]);
    expect(queries).toEqual([]);
  });
});
