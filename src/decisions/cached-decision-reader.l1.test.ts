import { describe, expect, it } from 'vitest';
import { EventType, type DecisionData, type NewEvent } from '../core/index.js';
import type { EventStore } from '../log/index.js';
import { CachedDecisionReader } from './cached-decision-reader.js';
import { hashContext } from './context-hash.js';

// The L1 write-through at its edges: a later decision for an equal context replaces the earlier
// one in the context index without counting as an eviction, and only an OutcomeRecorded event
// settles a cached decision. The store is a stand-in that holds nothing.

const T = '2025-04-01T10:00:00.000Z';
const context = { files: 2 };
const data = (id: string): DecisionData =>
  ({ decisionId: id, agent: 'triage', unitId: `u-${id}`, value: 'low', deterministic: 'low', source: 'deterministic', reason: 'RULES', variant: 'deterministic', propensity: 1, latencyMs: 1, context, contextHash: hashContext('triage', context) }) as DecisionData;
const made = (d: DecisionData): NewEvent => ({ id: `e-${d.decisionId}`, type: EventType.DecisionMade, stream: `decision-${d.decisionId}`, data: d, metadata: {}, time: T });
const emptyStore = { query: async () => [] } as unknown as EventStore;

describe('CachedDecisionReader L1 edges', () => {
  it('a later decision for an equal context is the one found; replacing it is no eviction', async () => {
    const reader = new CachedDecisionReader({ store: emptyStore, l1Max: 10 });
    reader.observe(made(data('first')));
    reader.observe(made(data('second')));
    expect((await reader.getDecision('triage', { files: 2 }))?.decision.decisionId).toBe('second');
    expect(reader.bounds().contexts).toEqual({ size: 1, capacity: 10, evictions: 0 });
  });

  it('an event of another type naming a cached decision does not settle it', async () => {
    const reader = new CachedDecisionReader({ store: emptyStore });
    reader.observe(made(data('d1')));
    reader.observe({ id: 'x-1', type: 'DecisionErased', stream: 'decision-d1', data: { decisionId: 'd1', label: 'high', kind: 'explicit' }, metadata: {}, time: T } as unknown as NewEvent);
    const view = await reader.get('d1');
    expect(view).toEqual({ decision: { ...data('d1'), decidedAt: T } });
    expect(view).not.toHaveProperty('outcome');
  });
});
