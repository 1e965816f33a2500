import { afterEach, describe, expect, it } from 'vitest';
import type { DecisionData, NewEvent } from '../../core/index.js';
import { createMemoryBus } from '../../log/bus/memory-bus.js';
import { parseAgentDefinition } from '../agents/agent-definition.js';
import { AsyncLearningWriter } from '../async-learning-writer.js';
import { DecisionEngine } from '../decision-engine.js';
import { applyInput, emptyState } from './aggregation.js';
import { FeatureReader } from './feature-reader.js';
import { FeatureViewRegistry } from './feature-view-registry.js';
import { MemoryOnlineStore, type OnlineStore } from './online-store.js';

const reviewer = parseAgentDefinition({
  name: 'code-reviewer',
  kind: 'classification',
  labels: ['approve', 'request-changes'],
  features: [
    { name: 'linesAdded', type: 'numeric' },
    { name: 'authorApproveRate', type: 'numeric', from: { view: 'author-reliability', feature: 'approve_rate', entity: 'author' } },
    { name: 'authorReviews', type: 'numeric', from: { view: 'author-reliability', feature: 'reviews', entity: 'author' } },
  ],
});

function setup(policy: 'stale' | 'missing', online: OnlineStore = new MemoryOnlineStore()) {
  const views = new FeatureViewRegistry();
  const v = views.define({
    name: 'author-reliability',
    entity: 'author',
    entityPath: 'context.author',
    source: { events: 'outcomes' },
    onLoss: policy,
    features: [
      { name: 'approve_rate', aggregation: 'mean', field: 'label', equals: 'approve', window: '30d' },
      { name: 'reviews', aggregation: 'count', window: '30d' },
    ],
  });
  const state = emptyState();
  const now = Date.now();
  ['approve', 'approve', 'request-changes', 'approve'].forEach((label, i) => applyInput(v, state, { entity: 'anna', time: now - 60_000 * (i + 1), seq: i, data: { label } }));
  let live = true;
  const reader = new FeatureReader({ online, views, live: () => live });
  const recorded: NewEvent[] = [];
  const writer = new AsyncLearningWriter({ bus: createMemoryBus(), onRecord: (e) => void recorded.push(e) });
  const engine = new DecisionEngine({ writer, agents: (a) => (a === 'code-reviewer' ? reviewer : undefined), features: reader });
  const logged = (): DecisionData => recorded[recorded.length - 1]!.data as DecisionData;
  return { v, state, reader, engine, writer, logged, setLive: (l: boolean) => void (live = l), commit: () => online.commit(v.name, v.version, new Map([['anna', state]]), 3600, undefined, { cursor: '1-1', live: true, applied: 4, at: now }) };
}

describe('decisions enriched from feature views', () => {
  const writers: AsyncLearningWriter[] = [];
  afterEach(async () => {
    await Promise.all(writers.splice(0).map((w) => w.close()));
  });

  it('serve and log the view values with the decision; a context value of the same name is not used', async () => {
    const s = setup('stale');
    writers.push(s.writer);
    await s.commit();
    s.engine.decide('code-reviewer', 'pr-1', { linesAdded: 10, author: 'anna', authorApproveRate: 0 }, 'approve');
    expect(s.logged().features).toEqual({ linesAdded: 10, authorApproveRate: 0.75, authorReviews: 4 });
    expect(s.logged().featureViews).toEqual({ 'author-reliability': { entity: 'anna', status: 'fresh', version: 1 } });
    // An author never seen has no history: 0 reviews and no rate (the model's default applies).
    await s.engine.decideAsync('code-reviewer', 'pr-2', { linesAdded: 3, author: 'zoe', authorApproveRate: 1 }, 'approve');
    expect(s.logged().features).toEqual({ linesAdded: 3, authorReviews: 0 });
  });

  it('while the view is rebuilding, a stale view serves the last values flagged stale', async () => {
    const s = setup('stale');
    writers.push(s.writer);
    await s.commit();
    s.engine.decide('code-reviewer', 'pr-1', { author: 'anna' }, 'approve');
    s.setLive(false);
    s.engine.decide('code-reviewer', 'pr-2', { author: 'anna' }, 'approve');
    expect(s.logged().features).toMatchObject({ authorApproveRate: 0.75, authorReviews: 4 });
    expect(s.logged().featureViews).toEqual({ 'author-reliability': { entity: 'anna', status: 'stale', version: 1 } });
    expect(await s.reader.get('author-reliability', 'anna')).toMatchObject({ status: 'stale', values: { approve_rate: 0.75, reviews: 4 } });
  });

  it('while the view is rebuilding, a missing view serves nothing', async () => {
    const s = setup('missing');
    writers.push(s.writer);
    await s.commit();
    s.engine.decide('code-reviewer', 'pr-1', { author: 'anna' }, 'approve');
    s.setLive(false);
    s.engine.decide('code-reviewer', 'pr-2', { author: 'anna', linesAdded: 1 }, 'approve');
    expect(s.logged().features).toEqual({ linesAdded: 1 });
    expect(s.logged().featureViews).toEqual({ 'author-reliability': { entity: 'anna', status: 'missing', version: 1 } });
  });

  it('an online store that fails never fails a decision', async () => {
    const broken: OnlineStore = Object.assign(new MemoryOnlineStore(), { readSync: undefined, read: () => Promise.reject(new Error('ECONNREFUSED')) });
    const s = setup('missing', broken);
    writers.push(s.writer);
    const d = await s.engine.decideAsync('code-reviewer', 'pr-1', { author: 'anna', linesAdded: 2 }, 'approve');
    expect(d.value).toBe('approve');
    expect(s.logged().featureViews).toEqual({ 'author-reliability': { entity: 'anna', status: 'missing', version: 1 } });
  });
});
