import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample } from '../../test/support/exposition.js';
import { pollUntil } from '../../test/support/poll-until.js';
import { mulberry32 as rng } from '../experiments/ope/prng.js';
import { buildServer } from '../server/app.js';
import { type Apprentice, createApprentice } from './create-apprentice.js';
import { type Platform, installPlatform } from './install-platform.js';

// Issue 12: the exploration share and the OPE gate's evidence as a user reads them from /metrics,
// after a reward agent explored over HTTP, trained a shadow model and was evaluated by the
// controller — the same numbers as the rollout status.

const BUDGET = 0.2;
const N = 400;
const deployer = {
  name: 'deployer',
  kind: 'classification',
  feedback: 'reward',
  labels: ['standard', 'canary'],
  features: [{ name: 'risk', type: 'numeric' }],
  exploration: { strategy: 'epsilon-greedy', budget: BUDGET, epsilon: BUDGET, minEpsilon: BUDGET },
};

describe('/metrics: exploration share and the OPE gate of a reward agent', () => {
  let dir: string;
  let a: Apprentice;
  let platform: Platform;
  let app: FastifyInstance;
  const next = rng(3);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-evidence-metrics-'));
    a = await createApprentice({ config: { dataDir: dir } });
    platform = await installPlatform(a, {
      agents: [{ definition: deployer }],
      controller: false,
      trainer: { registerEvery: 100, minSamples: 100 },
      throttle: false,
    });
    app = await buildServer(a, { routes: [...(platform.server.routes ?? [])], context: { ...platform.server.context } });
  });
  afterAll(async () => {
    await app?.close();
    await platform?.stop();
    await a?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the values the rollout status and the explorer hold', async () => {
    // The rules always deploy standard; canary is better when risk > 0.5. Exploration tries canary.
    for (let i = 0; i < N; i++) {
      const risk = next();
      const d = await app.inject({ method: 'POST', url: '/api/v1/agents/deployer/decide', payload: { unitId: `d-${i}`, context: { risk }, deterministic: 'standard' } });
      expect(d.statusCode).toBe(200);
      const { decisionId, value } = d.json() as { decisionId: string; value: string };
      const p = value === 'canary' ? 0.2 + 0.6 * risk : 0.8 - 0.6 * risk;
      await a.recordOutcome(decisionId, { reward: next() < p ? 1 : 0 });
    }
    await a.writer.flush();
    await a.projector?.drainOnce();
    await pollUntil(() => platform.learning.serving.shadow('deployer'), { timeoutMs: 30_000, message: 'a shadow model of deployer', intervalMs: 50 });
    await platform.learning.serving.settled();
    const evaluated = await app.inject({ method: 'POST', url: '/api/v1/rollouts/deployer/evaluate', payload: {} });
    expect(evaluated.statusCode).toBe(200);
    const ope = (evaluated.json() as { ope: { pass: boolean; n: number; dr: { estimate: number }; interval: { lower: number; upper: number }; servedValue: number; effectiveSampleSize: number } | null }).ope;
    expect(ope).not.toBeNull();
    process.stdout.write(`OPE of deployer: ${JSON.stringify({ pass: ope!.pass, dr: ope!.dr.estimate, lower: ope!.interval.lower, served: ope!.servedValue, ess: ope!.effectiveSampleSize })}\n`);
    expect(ope!.n).toBe(N);

    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const stats = platform.learning.explorer.stats().find((s) => s.agent === 'deployer')!;
    expect(stats.decisions).toBe(N);
    const share = sample(text, 'apprentice_exploration_share', { agent: 'deployer' });
    expect(share).toBeCloseTo(stats.explored / N, 12);
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThanOrEqual(BUDGET);
    expect(sample(text, 'apprentice_exploration_budget_ratio', { agent: 'deployer' })).toBe(BUDGET);
    expect(sample(text, 'apprentice_ope_gate_pass', { agent: 'deployer' })).toBe(ope!.pass ? 1 : 0);
    expect(sample(text, 'apprentice_ope_estimate', { agent: 'deployer', value: 'dr' })).toBeCloseTo(ope!.dr.estimate, 9);
    expect(sample(text, 'apprentice_ope_estimate', { agent: 'deployer', value: 'lower' })).toBeCloseTo(ope!.interval.lower, 9);
    expect(sample(text, 'apprentice_ope_estimate', { agent: 'deployer', value: 'upper' })).toBeCloseTo(ope!.interval.upper, 9);
    expect(sample(text, 'apprentice_ope_estimate', { agent: 'deployer', value: 'served' })).toBeCloseTo(ope!.servedValue, 9);
    expect(sample(text, 'apprentice_ope_effective_sample_size', { agent: 'deployer' })).toBeCloseTo(ope!.effectiveSampleSize, 6);
    // The served value is the mean reward of the logged decisions, as the projection holds them.
    const [row] = await a.store.query<{ mean: number }>(`SELECT avg(o.reward)::float8 AS mean FROM decisions d JOIN outcomes o USING (decision_id) WHERE d.agent = 'deployer'`);
    expect(ope!.servedValue).toBeCloseTo(row!.mean, 12);
  }, 120_000);
});
