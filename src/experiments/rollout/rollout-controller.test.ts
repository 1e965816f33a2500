import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventStore } from '../../log/events/event-store.js';
import { createPgliteEventStore } from '../../log/events/pglite-event-store.js';
import { decisionsProjection } from '../../log/events/projections/decisions.js';
import type { ArmSummary, ExperimentArms } from '../analysis/analyze-experiment.js';
import { createRouter } from '../analysis/router.js';
import { createLocalFlagDistribution } from '../flags/store/flag-distribution.js';
import { type FlagStore, createFlagStore } from '../flags/store/flag-store.js';
import { flagsProjection } from '../flags/store/flags-projection.js';
import { RolloutController, type RolloutControllerOptions } from './rollout-controller.js';
import type { GuardrailReport, ShadowEvidence } from './rollout-policy.js';
import { describeState } from './rollout-state.js';
import { rolloutsProjection } from './rollouts-projection.js';

const INTERVAL = 30_000;
const arm = (units: number, mean: number): ArmSummary => ({ units, exposures: units, outcomes: units, mean, variance: 0.16 });
/** Arms split as the percentage says, the model's mean score `mlMean` against the rules' 0.6. */
const armsAt = (percentage: number, mlMean: number): ExperimentArms => ({
  deterministic: arm(40 * (100 - percentage), 0.6),
  ml: arm(40 * percentage, mlMean),
});

describe('rollout controller (fake timers)', () => {
  let store: EventStore;
  let flags: FlagStore;
  let controller: RolloutController;
  let clock: number;
  let mlMean: number;
  let guard: GuardrailReport;
  let shadow: ShadowEvidence | undefined;
  const rollbacks: [string, string][] = [];
  let agentN = 0;
  let agent: string;

  beforeAll(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://', projections: [decisionsProjection, flagsProjection, rolloutsProjection] });
    await store.migrate();
  });
  afterAll(async () => store.close());

  const make = (extra: Partial<RolloutControllerOptions> = {}): RolloutController =>
    new RolloutController({
      store,
      flags,
      agents: () => [agent],
      now: () => clock,
      intervalMs: INTERVAL,
      policy: { minShadowOutcomes: 100, minSamplePerArm: 50, minStepDurationMs: 60_000 },
      shadowEvidence: () => shadow,
      guardrails: () => guard,
      readGuardrails: () => Promise.resolve({}),
      readArms: async (w) => {
        const r = await store.query<{ percentage: number }>(`SELECT percentage FROM experiments WHERE agent = $1 AND started_at = $2`, [w.agent, w.since]);
        return armsAt(r[0]?.percentage ?? 0, mlMean);
      },
      onRollback: (a, reason) => void rollbacks.push([a, reason]),
      ...extra,
    });

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    clock = Date.parse('2025-03-01T00:00:00Z') + agentN * 86_400_000;
    agent = `agent-${++agentN}`;
    mlMean = 0.7;
    guard = { breaker: 'closed', p95LatencyMs: 2, fallbackRate: 0 };
    shadow = { n: 500, modelQuality: 0.8, rulesQuality: 0.7, higherIsBetter: true };
    rollbacks.length = 0;
    flags = await createFlagStore({ store, distribution: createLocalFlagDistribution({ channel: `ctl-${agentN}` }), resyncIntervalMs: 0 });
    controller = make();
    controller.start();
  });
  afterEach(async () => {
    await controller.stop();
    await flags.close();
    vi.useRealTimers();
  });

  /** Let `ms` of schedule pass: the clock moves and each due tick runs to completion. */
  const elapse = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += INTERVAL) {
      clock += INTERVAL;
      vi.advanceTimersByTime(INTERVAL);
      await controller.idle();
    }
  };
  const step = async (): Promise<string> => describeState((await controller.status(agent)).state);

  it('promotes a better model step by step on its schedule, moving the flag each time', async () => {
    const router = createRouter(flags);
    await elapse(INTERVAL);
    expect(await step()).toBe('canary-5');
    expect(flags.get(`rollout-${agent}`)?.definition.metadata?.percentage).toBe(5);
    await elapse(30_000); // below the minimum step duration: hold
    expect(await step()).toBe('canary-5');
    const seen = [await step()];
    for (let i = 0; i < 4; i++) {
      await elapse(60_000);
      seen.push(await step());
    }
    expect(seen).toEqual(['canary-5', 'canary-25', 'canary-50', 'canary-100', 'promoted']);
    expect(router(agent, 'any-unit')).toMatchObject({ variant: 'ml', propensity: 1 });
    expect(controller.ticks).toBeGreaterThanOrEqual(9);
    const events = await store.readStream(`rollout-${agent}`);
    expect(events.map((e) => e.metadata.actor)).toEqual(Array(5).fill('controller'));
    expect(events.map((e) => (e.data as { version: number }).version)).toEqual([1, 2, 3, 4, 5]);
    const xs = await controller.experiments(agent);
    expect(xs.map((x) => [x.percentage, x.endPhase])).toEqual([
      [100, 'promoted'],
      [50, 'canary-100'],
      [25, 'canary-50'],
      [5, 'canary-25'],
    ]);
  });

  it('shadow holds without enough evidence or with a worse model', async () => {
    shadow = { n: 10, modelQuality: 0.9, rulesQuality: 0.7, higherIsBetter: true };
    await elapse(3 * INTERVAL);
    expect(await step()).toBe('shadow');
    shadow = { n: 1000, modelQuality: 0.6, rulesQuality: 0.7, higherIsBetter: true };
    await elapse(3 * INTERVAL);
    expect(await step()).toBe('shadow');
    shadow = undefined;
    await elapse(INTERVAL);
    expect((await controller.status(agent)).verdict).toMatchObject({ action: 'hold', reasons: ['no shadow evidence'] });
  });

  it('rolls back a worse model automatically: flag to 0, aliases callback, audit reason', async () => {
    await elapse(INTERVAL);
    await elapse(60_000);
    expect(await step()).toBe('canary-25');
    mlMean = 0.4;
    await elapse(INTERVAL);
    const s = await controller.status(agent);
    expect(s.state).toMatchObject({ phase: 'rolled_back', fromPercentage: 25 });
    expect(flags.get(`rollout-${agent}`)?.definition.metadata?.percentage).toBe(0);
    expect(rollbacks).toEqual([[agent, expect.stringMatching(/significant loss/)]]);
    const last = (await store.readStream(`rollout-${agent}`)).at(-1)!;
    expect(last.metadata).toMatchObject({ actor: 'controller', reason: expect.stringMatching(/significant loss/) });
    await elapse(5 * INTERVAL);
    expect(await step()).toBe('rolled_back'); // stays rolled back
  });

  it.each([
    ['breaker open', { breaker: 'open' as const }],
    ['p95 latency', { p95LatencyMs: 900 }],
    ['fallback rate', { fallbackRate: 0.4 }],
  ])('rolls back on a guardrail breach: %s', async (_name, g) => {
    await elapse(INTERVAL);
    guard = g;
    await elapse(INTERVAL);
    expect((await controller.status(agent)).state).toMatchObject({ phase: 'rolled_back', reason: expect.stringMatching(/^guardrail/) });
  });

  it('pause freezes the step, resume restarts its clock, operator rollback and re-arm', async () => {
    await elapse(INTERVAL);
    await controller.command(agent, { kind: 'pause' }, { actor: 'alice', reason: 'holiday' });
    await elapse(5 * 60_000);
    expect(await step()).toBe('paused(canary-5)');
    expect(flags.get(`rollout-${agent}`)?.definition.metadata?.percentage).toBe(5);
    await expect(controller.command(agent, { kind: 'advance' }, { actor: 'alice' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await controller.command(agent, { kind: 'resume' }, { actor: 'alice' });
    await elapse(INTERVAL);
    expect(await step()).toBe('canary-5'); // the minimum duration counts from the resume
    await controller.command(agent, { kind: 'rollback', reason: 'manual' }, { actor: 'bob' });
    expect(rollbacks).toEqual([[agent, 'manual']]);
    await controller.command(agent, { kind: 'advance' }, { actor: 'bob', reason: 're-arm' });
    expect(await step()).toBe('shadow');
    const actors = (await store.readStream(`rollout-${agent}`)).map((e) => [e.metadata.actor, (e.data as { command: string }).command]);
    expect(actors).toEqual([
      ['controller', 'advance'],
      ['alice', 'pause'],
      ['alice', 'resume'],
      ['bob', 'rollback'],
      ['bob', 'advance'],
    ]);
  });

  it('a paused step still rolls back on a loss', async () => {
    await elapse(INTERVAL);
    await controller.command(agent, { kind: 'pause' }, { actor: 'alice' });
    mlMean = 0.3;
    await elapse(INTERVAL);
    expect((await controller.status(agent)).state.phase).toBe('rolled_back');
  });

  it('emergency rollback: every rollout flag to 0, one EmergencyRollback event, each agent rolled back', async () => {
    await elapse(INTERVAL);
    await flags.put('rollout-manual', (await import('../flags/rollout-flag.js')).rolloutFlag('manual', 30), { actor: 'carol' });
    const r = await controller.emergencyRollback({ actor: 'oncall', reason: 'incident 42' });
    expect(r.agents).toEqual(expect.arrayContaining([agent, 'manual']));
    expect(flags.get(`rollout-${agent}`)?.definition.metadata?.percentage).toBe(0);
    expect(flags.get('rollout-manual')?.definition.metadata?.percentage).toBe(0);
    expect(await step()).toBe('rolled_back');
    const [emergency] = await store.readStream('rollout-emergency').then((es) => es.filter((e) => e.id === r.eventId));
    expect(emergency?.data).toMatchObject({ before: { [agent]: 5, manual: 30 } });
    const last = (await store.readStream(`rollout-${agent}`)).at(-1)!;
    expect(last.metadata).toMatchObject({ actor: 'oncall', reason: 'incident 42', correlationId: r.eventId });
    const row = await store.query<{ phase: string; percentage: number }>(`SELECT phase, percentage FROM rollouts WHERE agent = $1`, [agent]);
    expect(row).toEqual([{ phase: 'rolled_back', percentage: 0 }]);
  });

  it('after a rollback, a restarted controller judges the next shadow only on what came after it (the base is in the log)', async () => {
    await elapse(INTERVAL);
    expect(await step()).toBe('canary-5');
    shadow = { n: 500, modelQuality: 0.8, rulesQuality: 0.7, higherIsBetter: true };
    await controller.command(agent, { kind: 'rollback', reason: 'concept change' }, { actor: 'bob' });
    await controller.command(agent, { kind: 'advance' }, { actor: 'bob', reason: 're-arm' });
    expect(await step()).toBe('shadow');
    // 100 new shadow outcomes after the rollback, the model worse on them (0.55 vs 0.75).
    shadow = { n: 600, modelQuality: (0.8 * 500 + 0.55 * 100) / 600, rulesQuality: (0.7 * 500 + 0.75 * 100) / 600, higherIsBetter: true };
    const restarted = make({ intervalMs: 0 });
    const s = await restarted.status(agent);
    expect(s.shadow?.n).toBe(100);
    expect(s.shadow?.modelQuality).toBeCloseTo(0.55, 9);
    expect(s.shadow?.rulesQuality).toBeCloseTo(0.75, 9);
    expect(s.verdict.action).toBe('hold');
  });

  it('a second controller on the same store sees the first one\'s changes', async () => {
    await elapse(INTERVAL);
    const other = make({ intervalMs: 0 });
    expect(describeState((await other.status(agent)).state)).toBe('canary-5');
    await other.command(agent, { kind: 'pause' }, { actor: 'x' });
    expect(await step()).toBe('paused(canary-5)');
  });
});
