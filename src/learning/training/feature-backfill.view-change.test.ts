import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/index.js';
import { parseAgentDefinition } from '../../decisions/agents/agent-definition.js';
import { FeatureHistory } from '../../decisions/features/feature-history.js';
import { parseFeatureView, type VersionedFeatureView } from '../../decisions/features/feature-view.js';
import type { EventStore } from '../../log/index.js';
import { decisionEvent, outcomeEvent } from '../../log/events/testing/fixtures.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { TrainingLoop } from './training-loop.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const base = { name: 'authors', entity: 'author', entityPath: 'context.author', source: { events: 'outcomes', agent: 'reviewer' } } as const;
const version = (n: number, input: unknown): VersionedFeatureView => ({ ...parseFeatureView(input), version: n, updatedAt: new Date(T0 + n).toISOString() });
const v1 = version(1, { ...base, features: [{ name: 'reviews', aggregation: 'count', window: '1d' }] });
/** Only its TTL changed: the same values. */
const v2 = version(2, { ...base, ttlSeconds: 3600, features: [{ name: 'reviews', aggregation: 'count', window: '1d' }] });
/** Its window changed: other values under the same field name. */
const v3 = version(3, { ...base, ttlSeconds: 3600, features: [{ name: 'reviews', aggregation: 'count', window: '7d' }] });

const reviewer = parseAgentDefinition({
  name: 'reviewer',
  kind: 'classification',
  labels: ['approve', 'reject'],
  features: [
    { name: 'files', type: 'numeric' },
    { name: 'authorReviews', type: 'numeric', from: { view: 'authors', feature: 'reviews', entity: 'author' } },
  ],
});
const plain = parseAgentDefinition({ name: 'plain', kind: 'classification', labels: ['approve', 'reject'], features: [{ name: 'files', type: 'numeric' }] });

const registry = { register: () => Promise.reject(new Error('not in this test')), setAlias: () => undefined } as unknown as ModelRegistry;
/** The decisions below log the view values served: the history never reads the log. */
const noLog = { readPage: () => Promise.reject(new Error('the log is not read in this test')) } as unknown as EventStore;

let position = 0;
/** `n` decisions of each agent (the reviewer's served from the view), with their outcomes. */
function batch(n: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (let i = 0; i < n; i++) {
    const at = new Date(T0 + (position + 1) * 60_000);
    for (const agent of ['reviewer', 'plain']) {
      const d = decisionEvent({ agent, value: 'approve', deterministic: 'approve', context: { author: 'anna', files: i }, features: { files: i, ...(agent === 'reviewer' ? { authorReviews: i } : {}) }, ...(agent === 'reviewer' ? { featureViews: { authors: { entity: 'anna', status: 'fresh' } } } : {}) }, at);
      for (const e of [d, outcomeEvent(d.data.decisionId, { label: i % 2 ? 'approve' : 'reject', agent }, at)]) out.push({ ...e, position: BigInt(++position), transactionId: 1n });
    }
  }
  return out;
}

const samples = (loop: TrainingLoop, agent: string): number | undefined => loop.snapshot().agents.find((a) => a.agent === agent)?.trainer.samples;

// Issue 13: a model is trained on a view's values; a view redefined (its window, aggregation,
// key or source) gives other values under the same field names, so the agents reading it start
// a fresh model, as an agent spec change does, live and across a checkpoint.
describe('a feature view redefined retrains the agents that read it', () => {
  it('live: a changed window starts a fresh model for the reviewer; a TTL change or another agent keeps theirs', async () => {
    let view = v1;
    const history = new FeatureHistory({ store: noLog, views: { get: (n) => (n === 'authors' ? view : undefined) } });
    const loop = new TrainingLoop({ agents: (a) => (a === 'reviewer' ? reviewer : a === 'plain' ? plain : undefined), registry, minSamples: 1e9, history, onError: (e) => { throw e; } });
    await loop.apply(batch(20));
    expect([samples(loop, 'reviewer'), samples(loop, 'plain')]).toEqual([20, 20]);

    view = v2;
    await loop.apply(batch(5));
    expect([samples(loop, 'reviewer'), samples(loop, 'plain')]).toEqual([25, 25]);

    view = v3;
    await loop.apply(batch(5));
    // Only the rows since the window changed.
    expect([samples(loop, 'reviewer'), samples(loop, 'plain')]).toEqual([5, 30]);
  });

  it('restored from a checkpoint taken before the view changed: a fresh model; unchanged: the same', async () => {
    let view = v1;
    const views = { get: (n: string) => (n === 'authors' ? view : undefined) };
    const agents = (a: string) => (a === 'reviewer' ? reviewer : a === 'plain' ? plain : undefined);
    const loop = new TrainingLoop({ agents, registry, minSamples: 1e9, history: new FeatureHistory({ store: noLog, views }) });
    await loop.apply(batch(12));
    const state = loop.snapshot();

    const same = new TrainingLoop({ agents, registry, minSamples: 1e9, history: new FeatureHistory({ store: noLog, views }) });
    same.restore(state);
    expect([samples(same, 'reviewer'), samples(same, 'plain')]).toEqual([12, 12]);

    view = v3;
    const changed = new TrainingLoop({ agents, registry, minSamples: 1e9, history: new FeatureHistory({ store: noLog, views }) });
    changed.restore(state);
    expect([samples(changed, 'reviewer'), samples(changed, 'plain')]).toEqual([0, 12]);
    await changed.apply(batch(3));
    expect(samples(changed, 'reviewer')).toBe(3);
  });
});
