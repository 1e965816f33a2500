import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventType } from '../core/events.js';
import { START } from '../log/events/event-store.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { buildServer } from '../server/app.js';
import { installLearning, type InstalledLearning } from './install-learning.js';
import { TrainingLoop } from '../learning/training/training-loop.js';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const estimator = {
  kind: 'regression',
  feedback: 'label',
  features: [
    { name: 'files', type: 'numeric' },
    { name: 'area', type: 'categorical', vocabulary: ['api', 'ui', 'infra'] },
  ],
};

describe('installLearning (embedded apprentice, HTTP)', () => {
  let dir: string;
  let a: Apprentice;
  let learning: InstalledLearning;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-learning-'));
    a = await createApprentice({ config: { dataDir: dir } });
    learning = await installLearning(a, { pool: false, training: false });
    app = await buildServer(a, learning.server);
  });
  afterAll(async () => {
    await app.close();
    await learning.stop();
    await a.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const settle = async (): Promise<void> => {
    await learning.shadow.idle();
    await a.writer.flush();
    await a.projector?.drainOnce();
  };

  it('defines agents over HTTP with versions and audit events', async () => {
    const put = await app.inject({ method: 'PUT', url: '/api/v1/agents/task-estimator', payload: estimator });
    expect(put.statusCode).toBe(201);
    expect(put.json()).toMatchObject({ name: 'task-estimator', version: 1 });
    const same = await app.inject({ method: 'PUT', url: '/api/v1/agents/task-estimator', payload: estimator });
    expect(same.json()).toMatchObject({ version: 1 });
    const changed = await app.inject({ method: 'PUT', url: '/api/v1/agents/task-estimator', payload: { ...estimator, timeBudgetMs: 15 }, headers: { 'x-apprentice-reason': 'tighter budget' } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ version: 2, timeBudgetMs: 15 });
    const bad = await app.inject({ method: 'PUT', url: '/api/v1/agents/bad-agent', payload: { kind: 'classification', features: [{ name: 'x', type: 'colour' }] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
    const list = await app.inject({ method: 'GET', url: '/api/v1/agents' });
    expect(list.json().agents.map((x: { name: string }) => x.name)).toEqual(['task-estimator']);
    expect((await app.inject({ method: 'GET', url: '/api/v1/agents/nobody' })).statusCode).toBe(404);
    await settle();
    const events = await a.store.readAll({ types: [EventType.AgentDefined] });
    expect(events.map((e) => (e.data as { version: number }).version)).toEqual([1, 2]);
    expect(events[1]!.metadata).toMatchObject({ actor: 'api', reason: 'tighter budget' });
    expect(events[1]!.data).toMatchObject({ before: { version: 1 }, after: { version: 2 } });
  });

  it('trains from decisions and outcomes, registers versions with metrics and lineage, shadows and reports', async () => {
    const next = rng(42);
    const truth = (files: number, area: string): number => 2 + 0.8 * files + (area === 'infra' ? 6 : 0);
    const areas = ['api', 'ui', 'infra'];
    const decide = async (i: number): Promise<{ id: string; y: number }> => {
      const files = Math.floor(next() * 20);
      const area = areas[Math.floor(next() * 3)]!;
      const rules = 1 + files; // the rules only approximate the truth
      const r = await app.inject({ method: 'POST', url: '/api/v1/agents/task-estimator/decide', payload: { unitId: `task-${i}`, context: { files, area, title: 'x' }, deterministic: rules } });
      expect(r.statusCode).toBe(200);
      return { id: r.json().decisionId as string, y: truth(files, area) + (next() - 0.5) };
    };
    for (let i = 0; i < 400; i++) {
      const { id, y } = await decide(i);
      if (i % 10 === 9) continue; // missing outcomes are normal
      const o = await app.inject({ method: 'POST', url: `/api/v1/decisions/${id}/outcome`, payload: { value: y } });
      expect(o.statusCode).toBe(202);
    }
    await settle();

    const loop = new TrainingLoop({ agents: (n) => learning.agents.get(n), registry: learning.registry, registerEvery: 100, minSamples: 100, policy: 'always' });
    const events = await a.store.readAll({ after: START, limit: 10_000, types: [EventType.DecisionMade, EventType.OutcomeRecorded] });
    await loop.apply(events);
    expect(loop.stats).toMatchObject({ decisions: 400, outcomes: 360, joined: 360 });
    expect(loop.stats.registered).toBeGreaterThanOrEqual(1);
    await learning.serving.settled();

    const versions = await app.inject({ method: 'GET', url: '/api/v1/models/task-estimator/versions' });
    const body = versions.json();
    expect(body.aliases.shadow).toBe(body.versions.at(-1).version);
    const v1 = body.versions[0];
    expect(v1.metrics).toMatchObject({ samples: expect.any(Number), 'model.mae': expect.any(Number), 'rules.mae': expect.any(Number) });
    expect(v1.lineage).toMatchObject({ source: 'trainer', specHash: expect.stringMatching(/^[0-9a-f]{64}$/), fromCursor: expect.stringMatching(/^\d+-\d+$/), toCursor: expect.stringMatching(/^\d+-\d+$/) });
    expect(loop.metrics('task-estimator')!['model.mae']!).toBeLessThan(loop.metrics('task-estimator')!['rules.mae']!);

    // The shadow model now predicts beside the rules for new decisions.
    const later: { id: string; y: number }[] = [];
    for (let i = 400; i < 460; i++) later.push(await decide(i));
    for (const d of later) await app.inject({ method: 'POST', url: `/api/v1/decisions/${d.id}/outcome`, payload: { value: d.y } });
    await settle();
    await vi.waitFor(async () => {
      const s = (await app.inject({ method: 'GET', url: '/api/v1/shadow/stats?agent=task-estimator' })).json();
      expect(s.total).toBe(60);
      expect(s.agents[0].quality).toMatchObject({ kind: 'value', count: 60 });
    }, { timeout: 5000, interval: 50 });
    const stats = (await app.inject({ method: 'GET', url: '/api/v1/shadow/stats' })).json();
    const q = stats.agents[0].quality;
    expect(q.model.mae).toBeLessThan(q.rules.mae);
    expect(stats.agreementRate).toBeGreaterThanOrEqual(0);

    // Alias moves over HTTP; moving back is a rollback with its history.
    const latest = body.versions.at(-1).version as number;
    if (latest > 1) {
      const rb = await app.inject({ method: 'PUT', url: '/api/v1/models/task-estimator/aliases/shadow', payload: { version: 1, reason: 'compare' } });
      expect(rb.statusCode).toBe(200);
      expect(rb.json()).toMatchObject({ from: latest, to: 1, rollback: true, uri: 'models:/task-estimator@shadow' });
    }
    const missing = await app.inject({ method: 'PUT', url: '/api/v1/models/task-estimator/aliases/production', payload: { version: 99, reason: 'x' } });
    expect(missing.statusCode).toBe(404);
    const noReason = await app.inject({ method: 'PUT', url: '/api/v1/models/task-estimator/aliases/production', payload: { version: 1 } });
    expect(noReason.statusCode).toBe(400);
  });
});
