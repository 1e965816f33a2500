import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ShadowEvidence } from '../experiments/rollout/rollout-policy.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { buildServer } from '../server/app.js';
import { flagsCommand } from '../cli/commands/flags.js';
import { rollbackCommand } from '../cli/commands/rollout.js';
import { type InstalledExperiments, installExperiments } from './install-experiments.js';

/**
 * End to end through the HTTP API with an embedded apprentice: synthetic decisions routed by
 * the rollout flags, rewards drawn per arm, the controller evaluated on demand.
 */
describe('rollout through the HTTP API (embedded)', () => {
  let dir: string;
  let a: Apprentice;
  let x: InstalledExperiments;
  let app: FastifyInstance;
  const rollbacks: string[] = [];
  const shadow: ShadowEvidence = { n: 500, modelQuality: 0.8, rulesQuality: 0.6, higherIsBetter: true };
  let seed = 1;
  /** Deterministic uniform [0, 1) (mulberry32), so the test is reproducible. */
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-rollout-'));
    a = await createApprentice({ config: { dataDir: dir } });
    x = await installExperiments(a, {
      schedule: false,
      shadowEvidence: () => shadow,
      onRollback: (agent) => void rollbacks.push(agent),
      policy: { minStepDurationMs: 0, minSamplePerArm: 30, minShadowOutcomes: 100 },
      analysis: { mde: 0.1 },
    });
    app = await buildServer(a, x.server);
  });
  afterAll(async () => {
    await app.close();
    await x.stop();
    await a.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let unit = 0;
  /** `n` decisions for new units routed by the agent's flag; reward 1 with the arm's probability. */
  async function traffic(agent: string, n: number, pMl: number, pRules: number): Promise<void> {
    const { n: before } = (await a.store.query<{ n: number }>('SELECT count(*)::int AS n FROM outcomes'))[0]!;
    for (let i = 0; i < n; i++) {
      const unitId = `u-${++unit}`;
      const route = x.router(agent, unitId);
      const id = a.writer.recordDecision({
        agent,
        unitId,
        value: 'go',
        deterministic: 'go',
        source: route.variant,
        reason: route.variant === 'ml' ? 'MODEL' : 'RULES',
        variant: route.variant,
        propensity: route.propensity,
        latencyMs: 0.1,
      });
      a.writer.recordOutcome(id, { agent, reward: random() < (route.variant === 'ml' ? pMl : pRules) ? 1 : 0 });
    }
    await a.writer.flush();
    await vi.waitFor(
      async () => {
        await a.projector?.drainOnce();
        const { n: now } = (await a.store.query<{ n: number }>('SELECT count(*)::int AS n FROM outcomes'))[0]!;
        expect(now).toBe(before + n);
      },
      { timeout: 30_000 },
    );
  }

  const evaluate = async (agent: string) => {
    const r = await app.inject({ method: 'POST', url: `/api/v1/rollouts/${agent}/evaluate` });
    expect(r.statusCode).toBe(200);
    return r.json() as { step: string; verdict: { action: string; reasons: string[] } };
  };

  it('promotes a better model to 100% step by step', async () => {
    const agent = 'code-reviewer';
    expect((await evaluate(agent)).step).toBe('canary-5');
    const steps: string[] = ['canary-5'];
    for (let i = 0; i < 4; i++) {
      await traffic(agent, 1200, 0.8, 0.5);
      const r = await evaluate(agent);
      steps.push(r.step);
    }
    expect(steps).toEqual(['canary-5', 'canary-25', 'canary-50', 'canary-100', 'promoted']);
    const flag = await app.inject({ method: 'GET', url: `/api/v1/flags/rollout-${agent}` });
    expect(flag.json()).toMatchObject({ definition: { metadata: { percentage: 100 } }, updatedBy: 'controller' });

    const list = await app.inject({ method: 'GET', url: `/api/v1/experiments?agent=${agent}` });
    const experiments = (list.json() as { experiments: { id: string; percentage: number; status: string }[] }).experiments;
    expect(experiments.map((e) => e.percentage)).toEqual([100, 50, 25, 5]);
    const sig = await app.inject({ method: 'GET', url: `/api/v1/experiments/${experiments[3]!.id}/significance` });
    const body = sig.json() as { effect: number; ci: [number, number]; pValue: number; power: number; srm: { status: string }; nonInferior: boolean };
    expect(body.effect).toBeGreaterThan(0.1);
    expect(body.ci[0]).toBeGreaterThan(-0.02);
    expect(body.pValue).toBeGreaterThanOrEqual(0);
    expect(body.pValue).toBeLessThanOrEqual(1);
    expect(body.power).toBeGreaterThan(0);
    expect(body.srm.status).toBe('healthy');
    expect(body.nonInferior).toBe(true);
  });

  it('rolls a worse model back to 0% automatically, with the audit trail', async () => {
    const agent = 'debugger';
    expect((await evaluate(agent)).step).toBe('canary-5');
    await traffic(agent, 1200, 0.15, 0.6);
    const r = await evaluate(agent);
    expect(r.step).toBe('rolled_back');
    expect(r.verdict.reasons.join()).toMatch(/significant loss/);
    expect(rollbacks).toContain(agent);
    const flag = await app.inject({ method: 'GET', url: `/api/v1/flags/rollout-${agent}` });
    expect(flag.json()).toMatchObject({ definition: { metadata: { percentage: 0 } } });
    expect(x.router(agent, 'any')).toMatchObject({ variant: 'deterministic' });

    const events = await app.inject({ method: 'GET', url: '/api/v1/events?type=RolloutStepChanged&limit=100' });
    const trail = (events.json() as { events: { data: { agent: string; after: { phase: string } }; metadata: { actor: string; reason?: string } }[] }).events
      .filter((e) => e.data.agent === agent)
      .map((e) => [e.data.after.phase, e.metadata.actor, e.metadata.reason]);
    expect(trail).toEqual([
      ['canary', 'controller', expect.stringMatching(/^shadow:/)],
      ['rolled_back', 'controller', expect.stringMatching(/significant loss/)],
    ]);
  });

  it('operator commands, flag API validation and emergency rollback', async () => {
    const agent = 'pisarz';
    const adv = await app.inject({ method: 'POST', url: `/api/v1/rollouts/${agent}/advance`, payload: { reason: 'looks fine' } });
    expect(adv.json()).toMatchObject({ step: 'canary-5', updatedBy: 'api', reason: 'looks fine' });
    expect((await app.inject({ method: 'POST', url: `/api/v1/rollouts/${agent}/resume` })).statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: `/api/v1/rollouts/${agent}/jump` })).statusCode).toBe(400);
    const status = await app.inject({ method: 'GET', url: `/api/v1/rollouts/${agent}` });
    expect(status.json()).toMatchObject({ phase: 'canary', percentage: 5, verdict: { action: 'hold' } });

    const bad = await app.inject({ method: 'PUT', url: '/api/v1/flags/new-ui', payload: { state: 'ENABLED', variants: { on: true }, defaultVariant: 'off' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(JSON.stringify(bad.json())).toContain('defaultVariant');
    const put = await app.inject({ method: 'PUT', url: '/api/v1/flags/new-ui', payload: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' }, headers: { 'x-apprentice-reason': 'launch' } });
    expect(put.statusCode).toBe(201);
    const pct = await app.inject({ method: 'POST', url: '/api/v1/flags/rollout-documentation-keeper/percentage', payload: { percentage: 10 } });
    expect(pct.json()).toMatchObject({ definition: { metadata: { percentage: 10 } } });
    expect((await app.inject({ method: 'POST', url: '/api/v1/flags/rollout-documentation-keeper/percentage', payload: { percentage: 150 } })).statusCode).toBe(400);

    const e = await app.inject({ method: 'POST', url: '/api/v1/rollback', payload: { reason: 'incident' } });
    expect(e.statusCode).toBe(202);
    expect((e.json() as { agents: string[] }).agents).toEqual(expect.arrayContaining([agent, 'documentation-keeper', 'code-reviewer']));
    for (const a2 of [agent, 'documentation-keeper', 'code-reviewer']) expect(x.router(a2, 'u-1').variant).toBe('deterministic');
    const trail = await app.inject({ method: 'GET', url: '/api/v1/events?type=EmergencyRollback' });
    expect((trail.json() as { events: { metadata: { actor: string; reason: string } }[] }).events[0]?.metadata).toMatchObject({ actor: 'api', reason: 'incident' });
    const flagEvents = await app.inject({ method: 'GET', url: '/api/v1/events?type=FlagChanged&limit=1000' });
    const newUi = (flagEvents.json() as { events: { stream: string; metadata: { reason?: string } }[] }).events.find((ev) => ev.stream === 'flag-new-ui');
    expect(newUi?.metadata.reason).toBe('launch');
  });

  it('CLI: flags percentage and rollback over the HTTP API, bad input exits 2', async () => {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await flagsCommand().parseAsync(['node', 'flags', 'percentage', 'rollout-cli-agent', '7', '--url', url, '--json', '--reason', 'cli']);
      expect(JSON.parse(out.join(''))).toMatchObject({ key: 'rollout-cli-agent', definition: { metadata: { percentage: 7 } } });
      expect(x.router('cli-agent', 'u').propensity).toBeGreaterThan(0);
      await rollbackCommand().parseAsync(['node', 'rollback', '--url', url]);
      expect(process.exitCode).toBe(2);
      process.exitCode = undefined;
      await flagsCommand().parseAsync(['node', 'flags', 'percentage', 'rollout-cli-agent', '101', '--url', url]);
      expect(process.exitCode).toBe(2);
      process.exitCode = undefined;
      out.length = 0;
      await rollbackCommand().parseAsync(['node', 'rollback', '--all', '--url', url, '--json']);
      expect(JSON.parse(out.join(''))).toMatchObject({ agents: expect.arrayContaining(['cli-agent']) });
      expect(x.router('cli-agent', 'u').variant).toBe('deterministic');
    } finally {
      write.mockRestore();
      err.mockRestore();
      process.exitCode = undefined;
    }
  });
});
