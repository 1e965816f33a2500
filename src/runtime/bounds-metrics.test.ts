import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample } from '../../test/support/exposition.js';
import { pollUntil } from '../../test/support/poll-until.js';
import { buildServer } from '../server/app.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { installLearning, type InstalledLearning } from './install-learning.js';

const estimator = {
  name: 'estimator',
  kind: 'regression',
  feedback: 'label',
  features: [{ name: 'files', type: 'numeric' }],
};

/** The value of one sample in a Prometheus exposition, or undefined. */
const bound = (text: string, name: string, component: string): number | undefined => sample(text, name, { component });

describe('bounded caches and waiting maps are reported with their bound (/metrics)', () => {
  let dir: string;
  let a: Apprentice;
  let learning: InstalledLearning;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-bounds-'));
    a = await createApprentice({ config: { dataDir: dir, mlEnabled: true } });
    learning = await installLearning(a, { pool: false, training: true, trainer: { maxPending: 5 }, agents: [{ definition: estimator }] });
    app = await buildServer(a, learning.server);
  });
  afterAll(async () => {
    await app.close();
    await learning.stop();
    await a.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('entries, capacity and evictions of each component, read from a scrape', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/agents/estimator/decide', payload: { unitId: `u-${i}`, context: { files: i }, deterministic: i / 2 } });
      expect(res.statusCode).toBe(200);
      ids.push((res.json() as { decisionId: string }).decisionId);
    }
    await a.writer.flush();
    await a.projector?.drainOnce();
    // The training loop keeps at most 5 decisions waiting for their outcome: 3 were evicted.
    // The training loop and the quality trackers follow the log on their own subscriptions:
    // scrape until both have seen the 8 decisions (on a loaded host one can lag the other).
    let text = '';
    await pollUntil(
      async () => {
        text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
        return learning.trainer!.stats.decisions === 8 && bound(text, 'apprentice_bounded_entries', 'version_quality_pending') === 8;
      },
      { timeoutMs: 30_000, message: 'the training loop and the quality tracker to see the 8 decisions' },
    );
    expect(bound(text, 'apprentice_bounded_capacity', 'training_pending_decisions')).toBe(5);
    expect(bound(text, 'apprentice_bounded_entries', 'training_pending_decisions')).toBe(5);
    expect(bound(text, 'apprentice_bounded_evictions_total', 'training_pending_decisions')).toBe(3);
    expect(bound(text, 'apprentice_bounded_entries', 'training_pending_outcomes')).toBe(0);
    // The decision cache holds what this process decided, under its default bound.
    expect(bound(text, 'apprentice_bounded_capacity', 'decision_cache')).toBe(10_000);
    expect(bound(text, 'apprentice_bounded_entries', 'decision_cache')).toBe(8);
    expect(bound(text, 'apprentice_bounded_evictions_total', 'decision_cache')).toBe(0);
    // The quality feed waits for the 8 outcomes; the served-quality feed only for model-served ones (none).
    expect(bound(text, 'apprentice_bounded_capacity', 'version_quality_pending')).toBe(100_000);
    expect(bound(text, 'apprentice_bounded_entries', 'version_quality_pending')).toBe(8);
    expect(bound(text, 'apprentice_bounded_entries', 'served_quality_pending')).toBe(0);
    // The ROC AUC feed waits for the truth of decisions some model scored (none here); the writer
    // keeps published events re-sendable until the store confirms them (all confirmed by now).
    expect(bound(text, 'apprentice_bounded_capacity', 'version_auc_pending')).toBe(50_000);
    expect(bound(text, 'apprentice_bounded_entries', 'version_auc_pending')).toBe(0);
    expect(bound(text, 'apprentice_bounded_capacity', 'writer_outbox')).toBe(250_000);
    expect(bound(text, 'apprentice_bounded_evictions_total', 'writer_outbox')).toBe(0);
    for (const c of ['decision_cache_by_context', 'shadow_stats_pending_results', 'shadow_stats_pending_outcomes', 'served_quality_pending'])
      expect(bound(text, 'apprentice_bounded_capacity', c), c).toBeGreaterThan(0);

    // Outcomes of evicted decisions wait as early outcomes (bounded too); a joined one frees its slot.
    for (const id of ids) expect((await app.inject({ method: 'POST', url: `/api/v1/decisions/${id}/outcome`, payload: { value: 1 } })).statusCode).toBe(202);
    await a.writer.flush();
    await a.projector?.drainOnce();
    await pollUntil(() => learning.trainer!.stats.outcomes === 8, { timeoutMs: 30_000, message: 'the training loop to see the 8 outcomes' });
    const after = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(bound(after, 'apprentice_bounded_entries', 'training_pending_decisions')).toBe(0);
    expect(bound(after, 'apprentice_bounded_entries', 'training_pending_outcomes')).toBe(3);
    expect(bound(after, 'apprentice_bounded_evictions_total', 'training_pending_decisions')).toBe(3);
    // Judged, and the agent has no model that could still answer late: nothing waits any more.
    expect(bound(after, 'apprentice_bounded_entries', 'version_quality_pending')).toBe(0);
  });
});
