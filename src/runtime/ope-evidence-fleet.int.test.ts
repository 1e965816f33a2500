import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample } from '../../test/support/exposition.js';
import { pollUntil } from '../../test/support/poll-until.js';
import { PG_URL, REDIS_URL, createTestSchema, testPrefix, type TestSchema } from '../../test/support/services.js';
import { EventType, type NewEvent } from '../core/index.js';
import { type OpeCandidate, type OpeGateOptions, createOpeGateCheck } from '../experiments/index.js';
import { decisionEvent, outcomeEvent } from '../log/events/testing/fixtures.js';
import { mulberry32 as rng } from '../experiments/ope/prng.js';
import { buildServer } from '../server/app.js';
import { type Apprentice, createApprentice } from './create-apprentice.js';
import { collectEvidenceMetrics } from './evidence-metrics.js';
import { type InstalledExperiments, installExperiments } from './install-experiments.js';

/**
 * Issue 12 on a fleet: two instances on one PostgreSQL. The leader evaluates the OPE gate of an
 * agent in shadow; the other instance (an API instance: it never evaluates on a schedule) shows
 * the leader's evidence in `GET /api/v1/rollouts/{agent}` and `/metrics`, read from the log's
 * `OpeGateEvaluated` events, and neither instance runs the OPE again on a status read.
 */

const AGENT = 'fleet-deployer';
/** Canary when not risky: worse than the rules (standard) by its true value, 0.4 vs 0.5. */
const worse: OpeCandidate = { actions: ['standard', 'canary'], rewards: (f) => (f.risky ? [0.7, 0.5] : [0.3, 0.5]) };

/** n rewarded decisions of the rules exploring canary 20% of the time (logged propensities). */
function shadowLog(n: number, seed: number, t0: number): NewEvent[] {
  const next = rng(seed);
  const events: NewEvent[] = [];
  for (let i = 0; i < n; i++) {
    const risky = next() < 0.5;
    const explore = next() < 0.2;
    const served = explore ? 'canary' : 'standard';
    const reward = next() < (served === 'canary' ? 0.5 : risky ? 0.3 : 0.7) ? 1 : 0;
    const at = t0 + i * 100;
    const d = decisionEvent({ agent: AGENT, features: { risky }, value: served, deterministic: 'standard', actionPropensity: explore ? 0.2 : 0.8 }, new Date(at));
    events.push(d, outcomeEvent(d.data.decisionId, { reward }, new Date(at + 50)));
  }
  return events;
}

interface Instance {
  readonly a: Apprentice;
  readonly x: InstalledExperiments;
  readonly app: FastifyInstance;
  readonly runs: { n: number };
  readonly stopMetrics: () => void;
}

describe('OPE evidence on an instance that is not the leader (PostgreSQL)', () => {
  let schema: TestSchema;
  let dir: string;
  const instances: Instance[] = [];

  beforeAll(async () => {
    schema = await createTestSchema('opefleet');
    dir = mkdtempSync(join(tmpdir(), 'apprentice-ope-fleet-'));
    const prefix = testPrefix('opefleet');
    const databaseUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    for (const name of ['leader', 'api']) {
      const a = await createApprentice({ config: { databaseUrl, redisUrl: REDIS_URL, redisPrefix: prefix, dataDir: join(dir, name) }, instanceId: name, projector: false });
      const runs = { n: 0 };
      const gate = createOpeGateCheck({ store: a.store, candidate: (agent) => (agent === AGENT ? worse : undefined) });
      // Neither schedules: the test runs the leader's evaluations itself (a tick), the API instance never evaluates.
      const x = await installExperiments(a, {
        schedule: false,
        flagResyncIntervalMs: 0,
        agents: () => [AGENT],
        policy: { minShadowOutcomes: 100 },
        shadowEvidence: () => ({ n: 1000, modelQuality: 0.8, rulesQuality: 0.7, higherIsBetter: true }),
        opeGate: (agent: string, since: string, options: OpeGateOptions) => {
          runs.n++;
          return gate(agent, since, options);
        },
      });
      const stopMetrics = collectEvidenceMetrics(a.metrics, { controller: x.controller, exploration: () => [] });
      const app = await buildServer(a, x.server);
      instances.push({ a, x, app, runs, stopMetrics });
    }
  });
  afterAll(async () => {
    for (const i of instances) {
      i.stopMetrics();
      await i.app.close();
      await i.x.stop();
      await i.a.close();
    }
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const status = async (i: Instance) => {
    const r = await i.app.inject({ method: 'GET', url: `/api/v1/rollouts/${AGENT}` });
    expect(r.statusCode).toBe(200);
    return r.json() as { step: string; ope: { pass: boolean; n: number; dr: { estimate: number }; interval: { lower: number; upper: number }; servedValue: number; effectiveSampleSize: number } | null; verdict: { action: string; reasons: string[] } };
  };
  const metrics = async (i: Instance) => (await i.app.inject({ method: 'GET', url: '/metrics' })).body;

  it('the API instance shows the leader\'s evidence in its status and metrics, and no status read runs the OPE', async () => {
    const [leader, api] = instances as [Instance, Instance];
    expect([leader.a.store.kind, api.a.store.kind]).toEqual(['postgres', 'postgres']);
    await leader.a.store.append(shadowLog(2000, 5, Date.parse('2026-04-01T00:00:00Z')));
    const [tick] = await leader.x.controller.tick(AGENT);
    expect(tick!.verdict.action).toBe('hold');
    expect(leader.runs.n).toBe(1);
    const own = leader.x.controller.latestEvidence(AGENT)!.ope!;
    expect(own).toMatchObject({ pass: false, n: 2000 });
    // The leader's evaluation reaches the shared store through its writer and the bus: the API
    // instance can only show it once it is there (before that, a read evaluates by itself).
    await pollUntil(async () => ((await api.a.store.readAll({ types: [EventType.OpeGateEvaluated] })).some((e) => (e.data as { agent?: string }).agent === AGENT) ? true : undefined), {
      timeoutMs: 30_000,
      message: "the leader's OpeGateEvaluated in the store",
    });

    for (let k = 0; k < 10; k++) {
      const s = await status(api);
      expect(s.step).toBe('shadow');
      expect(s.ope).toMatchObject({ pass: false, n: 2000, servedValue: own.servedValue, effectiveSampleSize: own.effectiveSampleSize });
      expect(s.ope!.dr.estimate).toBeCloseTo(own.dr.estimate, 12);
      expect(s.ope!.interval.lower).toBeCloseTo(own.interval.lower, 12);
      expect(s.verdict).toMatchObject({ action: 'hold', reasons: tick!.verdict.reasons });
      expect(s.verdict.reasons.at(-1)).toMatch(/^OPE: DR lower bound 0\.\d+ ≤ served 0\.\d+ \+ margin 0$/);
      await status(leader);
    }
    const text = await metrics(api);
    expect(sample(text, 'apprentice_ope_gate_pass', { agent: AGENT })).toBe(0);
    expect(sample(text, 'apprentice_ope_estimate', { agent: AGENT, value: 'dr' })).toBeCloseTo(own.dr.estimate, 9);
    expect(sample(text, 'apprentice_ope_estimate', { agent: AGENT, value: 'lower' })).toBeCloseTo(own.interval.lower, 9);
    expect(sample(text, 'apprentice_ope_estimate', { agent: AGENT, value: 'served' })).toBeCloseTo(own.servedValue, 9);
    expect(sample(text, 'apprentice_ope_effective_sample_size', { agent: AGENT })).toBeCloseTo(own.effectiveSampleSize, 6);
    // Ten status reads on each instance and a scrape: the OPE ran once, in the leader's tick.
    expect(leader.runs.n).toBe(1);
    expect(api.runs.n).toBe(0);

    // The leader's next evaluation on more decisions reaches the API instance through the log.
    await leader.a.store.append(shadowLog(500, 6, Date.parse('2026-04-01T01:00:00Z')));
    await leader.x.controller.tick(AGENT);
    expect((await status(api)).ope).toMatchObject({ n: 2500 });
    expect(sample(await metrics(api), 'apprentice_ope_effective_sample_size', { agent: AGENT })).toBeCloseTo(leader.x.controller.latestEvidence(AGENT)!.ope!.effectiveSampleSize, 6);
    expect([leader.runs.n, api.runs.n]).toEqual([2, 0]);
  }, 60_000);
});
