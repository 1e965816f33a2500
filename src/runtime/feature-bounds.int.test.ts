import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample } from '../../test/support/exposition.js';
import { pollUntil } from '../../test/support/poll-until.js';
import { PG_URL, createTestSchema, testPrefix, type TestSchema } from '../../test/support/services.js';
import { EventType } from '../core/index.js';
import { parseAgentDefinition } from '../decisions/agents/agent-definition.js';
import type { PastDecision } from '../decisions/index.js';
import { privateRedis, type PrivateRedis } from '../log/bus/testing/private-redis.js';
import { START } from '../log/index.js';
import { buildServer } from '../server/app.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { installFeatures, type InstalledFeatures } from './install-features.js';
import { installLearning, type InstalledLearning } from './install-learning.js';

const VIEW = {
  name: 'author-reliability',
  entity: 'author',
  entityPath: 'context.author',
  source: { events: 'outcomes', agent: 'code-reviewer' },
  features: [{ name: 'reviews', aggregation: 'count', window: '30d' }],
};
const reviewer = parseAgentDefinition({
  name: 'code-reviewer',
  kind: 'classification',
  labels: ['approve', 'request-changes'],
  features: [
    { name: 'linesAdded', type: 'numeric' },
    { name: 'authorReviews', type: 'numeric', from: { view: 'author-reliability', feature: 'reviews', entity: 'author' } },
  ],
});

/** The value of one `component` sample in a Prometheus exposition, or undefined. */
const bound = (text: string, name: string, component: string): number | undefined => sample(text, name, { component });

// Issue 13: the feature store's memory (the cache of Redis, the materialiser's joins, the
// training backfill) is reported with its bound, like every other bounded map.
describe('feature store bounds on /metrics (server mode, private redis-server)', () => {
  let schema: TestSchema;
  let dir: string;
  let redis: PrivateRedis;
  let a: Apprentice;
  let features: InstalledFeatures;
  let learning: InstalledLearning;
  let app: FastifyInstance;
  const past: PastDecision[] = [];

  beforeAll(async () => {
    schema = await createTestSchema('fvbounds');
    dir = mkdtempSync(join(tmpdir(), 'apprentice-fvb-'));
    redis = await privateRedis();
    await redis.start();
    const databaseUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    a = await createApprentice({ config: { databaseUrl, redisUrl: redis.url, redisPrefix: testPrefix('fvbounds'), dataDir: dir, mlEnabled: false }, instanceId: 'fvb', projectorOptions: { blockMs: 20 } });
    features = await installFeatures(a, { views: [VIEW], pollMs: 20, cacheCapacity: 2, historyMaxInputs: 4 });
    learning = await installLearning(a, { agents: [{ definition: reviewer }], training: false, pool: false, features: features.reader });
    app = await buildServer(a, learning.server);
  });
  afterAll(async () => {
    await app?.close();
    await learning?.stop();
    await features?.stop();
    await a?.close();
    await redis?.kill();
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const scrape = async (): Promise<string> => (await app.inject({ method: 'GET', url: '/metrics' })).body;

  /** Decisions for these authors, with outcomes, materialised. */
  async function review(authors: readonly string[]): Promise<void> {
    for (const author of authors) {
      const d = await learning.engine.decideAsync('code-reviewer', `pr-${past.length}`, { linesAdded: 1, author }, 'approve');
      past.push({ decisionId: d.decisionId, time: Date.now(), context: { linesAdded: 1, author } });
      await a.recordOutcome(d.decisionId, { label: 'approve' });
    }
    const status = () => features.materialiser!.status(VIEW.name)!;
    await pollUntil(() => status().phase === 'live' && status().applied >= past.length, { timeoutMs: 30_000, message: `the view to materialise ${past.length} outcomes` });
  }

  async function fillUpToNow(): Promise<void> {
    const page = await a.store.readPage({ after: START, limit: 10_000, types: [EventType.DecisionMade, EventType.OutcomeRecorded] });
    await features.history.fill(reviewer, past, page.cursor);
  }

  it('the cache of Redis, the materialiser joins and the training backfill, each with its bound', async () => {
    await review(['anna', 'bartek', 'celina']);
    // Three authors read through a cache of two: the least recently read one was evicted.
    const cached = await pollUntil(async () => {
      const text = await scrape();
      return bound(text, 'apprentice_bounded_evictions_total', 'feature_online_cache') === 1 ? text : undefined;
    }, { timeoutMs: 10_000, message: 'the third author fetched into the cache of two' });
    expect(bound(cached, 'apprentice_bounded_entries', 'feature_online_cache')).toBe(2);
    expect(bound(cached, 'apprentice_bounded_capacity', 'feature_online_cache')).toBe(2);
    // The materialiser remembers the three decisions to join their outcomes to the authors.
    expect(bound(cached, 'apprentice_bounded_entries', 'feature_materialiser_joins')).toBe(3);
    expect(bound(cached, 'apprentice_bounded_capacity', 'feature_materialiser_joins')).toBe(200_000);
    expect(bound(cached, 'apprentice_bounded_evictions_total', 'feature_materialiser_joins')).toBe(0);
    // Nothing backfilled for training yet.
    expect(bound(cached, 'apprentice_bounded_entries', 'feature_history_inputs')).toBe(0);
    expect(bound(cached, 'apprentice_bounded_capacity', 'feature_history_inputs')).toBe(4);

    await fillUpToNow();
    const filled = await scrape();
    expect(bound(filled, 'apprentice_bounded_entries', 'feature_history_inputs')).toBe(3);
    expect(bound(filled, 'apprentice_bounded_evictions_total', 'feature_history_inputs')).toBe(0);
    expect(bound(filled, 'apprentice_bounded_entries', 'feature_history_joins')).toBe(3);
    expect(bound(filled, 'apprentice_bounded_capacity', 'feature_history_joins')).toBe(200_000);

    // Two more outcomes would pass the bound of 4: the view's inputs are dropped whole (3 held + the 4th).
    await review(['dawid', 'ewa']);
    await fillUpToNow();
    const over = await scrape();
    expect(bound(over, 'apprentice_bounded_entries', 'feature_history_inputs')).toBe(0);
    expect(bound(over, 'apprentice_bounded_evictions_total', 'feature_history_inputs')).toBe(4);
    expect(features.history.bounds().overflowed).toBe(1);
  });
});
