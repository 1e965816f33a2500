import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventType } from '../../core/index.js';
import type { EventStore } from '../../log/events/event-store.js';
import { createPgliteEventStore } from '../../log/events/pglite-event-store.js';
import type { ArmSummary, ExperimentArms } from '../analysis/analyze-experiment.js';
import { createLocalFlagDistribution } from '../flags/store/flag-distribution.js';
import { rolloutFlag } from '../flags/rollout-flag.js';
import { createFlagStore, type FlagStore } from '../flags/store/flag-store.js';
import { flagsProjection } from '../flags/store/flags-projection.js';
import { DEFAULT_CONTROLLER_INTERVAL_MS, freshShadowEvidence, gateAhead, RolloutController, type RolloutChange, type RolloutControllerOptions } from './rollout-controller.js';
import { DEFAULT_ROLLOUT_POLICY, type ShadowEvidence } from './rollout-policy.js';
import type { CanaryState } from './rollout-state.js';
import { rolloutsProjection } from './rollouts-projection.js';

// The controller's schedule (interval, lease gate, per-agent evaluation interval, stop), the
// agents it knows, what a step change records (evidence, audit, callbacks) and the pure helpers
// behind shadow evidence after a rollback and manual gates. Real PGlite store and flag store;
// the schedule's timer is injected, so each scheduled tick is fired by hand.

const T0 = '2025-01-01T00:00:00.000Z';
const arm = (units: number, mean: number): ArmSummary => ({ units, exposures: units, outcomes: units, mean, variance: 0.16 });
const armsAt = (p: number, mlMean: number): ExperimentArms => ({ deterministic: arm(40 * (100 - p), 0.6), ml: arm(40 * p, mlMean) });

describe('freshShadowEvidence: shadow quality over the outcomes after a base', () => {
  const now: ShadowEvidence = { n: 300, modelQuality: 0.7, rulesQuality: 0.6, higherIsBetter: true };

  it('no evidence stays none; no base leaves the evidence as it is', () => {
    expect(freshShadowEvidence(undefined, now)).toBeUndefined();
    expect(freshShadowEvidence(now, undefined)).toBe(now);
  });

  it('the means of the new outcomes only, with the orientation of the current evidence', () => {
    const fresh = freshShadowEvidence(now, { n: 100, modelQuality: 0.9, rulesQuality: 0.3, higherIsBetter: false })!;
    expect(fresh.n).toBe(200);
    expect(fresh.modelQuality).toBeCloseTo((0.7 * 300 - 0.9 * 100) / 200, 12);
    expect(fresh.rulesQuality).toBeCloseTo((0.6 * 300 - 0.3 * 100) / 200, 12);
    expect(fresh.higherIsBetter).toBe(true);
  });

  it('no new outcomes (or fewer than the base: a reset shadow store) is 0 outcomes, qualities as they were', () => {
    expect(freshShadowEvidence(now, { ...now })).toEqual({ ...now, n: 0 });
    expect(freshShadowEvidence(now, { ...now, n: 400 })).toEqual({ ...now, n: 0 });
    expect(freshShadowEvidence(now, { ...now, n: 299 })?.n).toBe(1);
  });
});

describe('gateAhead: the gated step an automatic advance would enter', () => {
  const gated = (gates: number[], steps = [5, 25, 50, 100]) => ({ ...DEFAULT_ROLLOUT_POLICY, steps, gates });
  const canary = (percentage: number): CanaryState => ({ phase: 'canary', percentage, experimentId: 'e', since: T0 });

  it('shadow → the first step; a step → the next one above it; only when that step is gated', () => {
    expect(gateAhead({ phase: 'shadow', since: T0 }, gated([5]))).toBe(5);
    expect(gateAhead({ phase: 'shadow', since: T0 }, gated([25]))).toBeUndefined();
    expect(gateAhead(canary(5), gated([25]))).toBe(25);
    expect(gateAhead(canary(25), gated([25]))).toBeUndefined();
    expect(gateAhead(canary(50), gated([100]))).toBe(100);
    expect(gateAhead(canary(30), gated([50], [10, 50, 100]))).toBe(50);
  });

  it('promotion, a paused, promoted or rolled-back rollout, and no gates: nothing ahead', () => {
    expect(gateAhead(canary(100), gated([5, 25, 50, 100]))).toBeUndefined();
    expect(gateAhead({ phase: 'paused', since: T0, paused: canary(5) }, gated([25]))).toBeUndefined();
    expect(gateAhead({ phase: 'promoted', since: T0 }, gated([5]))).toBeUndefined();
    expect(gateAhead({ phase: 'rolled_back', since: T0, fromPercentage: 5, reason: 'x' }, gated([5]))).toBeUndefined();
    expect(gateAhead(canary(5), gated([]))).toBeUndefined();
  });
});

describe('rollout controller: schedule, agents and what a step change records', () => {
  let store: EventStore;
  let flags: FlagStore;
  let clock: number;
  let n = 0;
  let agent: string;
  let mlMean: number;
  let shadow: ShadowEvidence | undefined;
  /** The injected schedule: the callback and period of each setInterval, and cleared handles. */
  let timers: { set: { fn: () => void; ms: number; handle: number }[]; cleared: unknown[] };

  beforeAll(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://', projections: [flagsProjection, rolloutsProjection] });
    await store.migrate();
  }, 180_000); // migrating PGlite takes over a minute on a loaded 2-core machine
  afterAll(async () => store.close());

  beforeEach(async () => {
    n++;
    agent = `sched-${n}`;
    clock = Date.parse('2025-06-01T00:00:00Z') + n * 86_400_000;
    mlMean = 0.8;
    shadow = { n: 500, modelQuality: 0.8, rulesQuality: 0.6, higherIsBetter: true };
    timers = { set: [], cleared: [] };
    flags = await createFlagStore({ store, distribution: createLocalFlagDistribution({ channel: `sched-${n}` }), resyncIntervalMs: 0 });
    return async () => flags.close();
  });

  const make = (extra: Partial<RolloutControllerOptions> = {}): RolloutController =>
    new RolloutController({
      store,
      flags,
      agents: () => [agent],
      now: () => clock,
      timers: {
        setInterval: (fn, ms) => {
          const handle = timers.set.length + 1;
          timers.set.push({ fn, ms, handle });
          return handle;
        },
        clearInterval: (h) => void timers.cleared.push(h),
      },
      policy: { minShadowOutcomes: 100, minSamplePerArm: 50, minStepDurationMs: 60_000 },
      shadowEvidence: () => shadow,
      readGuardrails: () => Promise.resolve({}),
      readArms: async (w) => {
        const r = await store.query<{ percentage: number }>(`SELECT percentage FROM experiments WHERE agent = $1 AND started_at = $2`, [w.agent, w.since]);
        return armsAt(r[0]?.percentage ?? 0, mlMean);
      },
      ...extra,
    });
  const fire = async (c: RolloutController): Promise<void> => {
    timers.set.at(-1)!.fn();
    await c.idle();
  };

  it('start() schedules one evaluation every 10 s by default, once however often it is called; stop() clears it', async () => {
    expect(DEFAULT_CONTROLLER_INTERVAL_MS).toBe(10_000);
    const c = make();
    c.start();
    c.start();
    expect(timers.set.map((t) => t.ms)).toEqual([10_000]);
    await fire(c);
    expect(c.ticks).toBe(1);
    expect((await c.status(agent)).state).toMatchObject({ phase: 'canary', percentage: 5 });
    await c.stop();
    expect(timers.cleared).toEqual([1]);
    await c.stop();
    expect(timers.cleared).toEqual([1]);
    c.start();
    expect(timers.set.map((t) => t.ms)).toEqual([10_000, 10_000]);
    await c.stop();
  });

  it('intervalMs sets the period; 0 (or less) schedules nothing', async () => {
    make({ intervalMs: 30_000 }).start();
    expect(timers.set.map((t) => t.ms)).toEqual([30_000]);
    make({ intervalMs: 0 }).start();
    make({ intervalMs: -1 }).start();
    expect(timers.set).toHaveLength(1);
  });

  it('a tick runs only while shouldRun() is true (the leader lease); commands are not gated', async () => {
    let leader = false;
    const c = make({ shouldRun: () => leader });
    c.start();
    await fire(c);
    expect(c.ticks).toBe(0);
    expect((await c.status(agent)).state.phase).toBe('shadow');
    await c.command(agent, { kind: 'pause' }, { actor: 'alice' });
    expect((await c.status(agent)).state.phase).toBe('paused');
    await c.command(agent, { kind: 'resume' }, { actor: 'alice' });
    leader = true;
    await fire(c);
    expect(c.ticks).toBe(1);
    expect((await c.status(agent)).state.phase).toBe('canary');
    await c.stop();
  });

  it("a whole-fleet tick skips an agent evaluated less than its policy's evaluationIntervalMs ago; tick(agent) never does", async () => {
    const c = make({ intervalMs: 0, policy: { minShadowOutcomes: 100, minSamplePerArm: 50, minStepDurationMs: 60_000, evaluationIntervalMs: 90_000 } });
    shadow = undefined;
    // The store is shared by this file's tests: a whole-fleet tick also sees their agents.
    const fleet = async () => (await c.tick()).filter((r) => r.agent === agent);
    expect((await fleet()).map((r) => r.agent)).toEqual([agent]);
    clock += 89_999;
    expect(await fleet()).toEqual([]);
    expect((await c.tick(agent)).map((r) => r.agent)).toEqual([agent]);
    clock += 90_000;
    expect((await fleet()).map((r) => r.agent)).toEqual([agent]);
    clock += 90_000;
    const [r] = await fleet();
    expect(r).toEqual({ agent, verdict: { action: 'hold', reasons: ['no shadow evidence'] }, changed: undefined });
  });

  it('a failing agent is reported through onError with its name, and the others are still evaluated', async () => {
    const errors: [unknown, string | undefined][] = [];
    const boom = new Error('shadow store down');
    const c = make({
      intervalMs: 0,
      agents: () => [agent, `${agent}-ok`],
      shadowEvidence: (a) => {
        if (a === agent) throw boom;
        return shadow;
      },
      onError: (e, a) => void errors.push([e, a]),
    });
    const results = (await c.tick()).filter((r) => r.agent.startsWith(agent));
    expect(results.map((r) => [r.agent, r.changed?.after.phase])).toEqual([[`${agent}-ok`, 'canary']]);
    expect(errors).toEqual([[boom, agent]]);
  });

  it('agents(): those with a rollout, a rollout flag or listed, once each and sorted; other flags are not agents', async () => {
    const c = make({ intervalMs: 0, agents: () => [`${agent}-c`, `${agent}-a`] });
    await c.command(`${agent}-b`, { kind: 'pause' }, { actor: 'x' });
    await flags.put(`rollout-${agent}-d`, rolloutFlag(`${agent}-d`, 30), { actor: 'x' });
    await flags.put(`rollout-${agent}-a`, rolloutFlag(`${agent}-a`, 10), { actor: 'x' });
    await flags.put(`feature-${agent}-e`, rolloutFlag(`${agent}-e`, 10), { actor: 'x' });
    const mine = (await c.agents()).filter((a) => a.startsWith(agent));
    expect(mine).toEqual([`${agent}-a`, `${agent}-b`, `${agent}-c`, `${agent}-d`]);
    expect((await c.rollouts()).filter((r) => r.agent.startsWith(agent)).map((r) => [r.agent, r.version])).toEqual([
      [`${agent}-a`, 0],
      [`${agent}-b`, 1],
      [`${agent}-c`, 0],
      [`${agent}-d`, 0],
    ]);
  });

  it('an agent without a rollout: shadow since now, version 0, no update, no experiment, 0%', async () => {
    const s = await make({ intervalMs: 0 }).status(agent);
    expect(s).toMatchObject({ agent, state: { phase: 'shadow', since: new Date(clock).toISOString() }, percentage: 0, version: 0, experiment: undefined, analysis: undefined, guardrails: undefined, gate: undefined });
    expect(s.updatedAt).toBeUndefined();
    expect(s.shadow).toEqual(shadow);
  });

  it('an automatic advance records its evidence, actor and reason, moves the flag, and tells onChange', async () => {
    const changes: RolloutChange[] = [];
    const c = make({ intervalMs: 0, onChange: (ch) => void changes.push(ch) });
    const [first] = await c.tick(agent);
    expect(first!.changed).toMatchObject({ agent, before: { phase: 'shadow' }, after: { phase: 'canary', percentage: 5 }, command: 'advance', actor: 'controller' });
    expect(first!.changed!.reason).toBe('shadow: model 0.8000 vs rules 0.6000 on 500 outcomes');
    expect(flags.get(`rollout-${agent}`)?.definition.metadata?.percentage).toBe(5);
    clock += 60_000;
    const [second] = await c.tick(agent);
    expect(second!.changed!.after).toMatchObject({ phase: 'canary', percentage: 25 });
    expect(changes.map((ch) => [ch.command, ch.actor, ch.before.phase, ch.after.phase])).toEqual([
      ['advance', 'controller', 'shadow', 'canary'],
      ['advance', 'controller', 'canary', 'canary'],
    ]);
    const events = (await store.readStream(`rollout-${agent}`)).filter((e) => e.type === EventType.RolloutStepChanged);
    expect(events.map((e) => e.metadata.reason)).toEqual(changes.map((ch) => ch.reason));
    const step = events[1]!.data as { version: number; command: string; evidence: Record<string, unknown> };
    expect(step.version).toBe(2);
    expect(step.command).toBe('advance');
    const s = await c.status(agent);
    expect(s.version).toBe(2);
    expect(s.percentage).toBe(25);
    expect(s.updatedAt).toBe(new Date(clock).toISOString());
    expect(step.evidence).toMatchObject({ metric: 'accuracy', rule: 'superiority', outcomes: [3800, 200], segmentStart: null, changes: 0 });
    for (const k of ['effect', 'pValue', 'lossPValue', 'power', 'srmPValue'] as const) expect(typeof step.evidence[k]).toBe('number');
    expect(step.evidence.effect).toBeCloseTo(0.2, 12);
    expect(step.evidence.ci).toHaveLength(2);
  });

  it('significance(): the running step with its verdict, an ended one without, an unknown id as undefined', async () => {
    const c = make({ intervalMs: 0 });
    await c.tick(agent);
    const [x5] = await c.experiments(agent);
    const running = await c.significance(x5!.id);
    expect(running?.experiment.percentage).toBe(5);
    expect(running?.verdict).toMatchObject({ action: 'hold', reasons: ['step running 0 s < 60 s'] });
    expect(running?.analysis.arms.ml.outcomes).toBe(200);
    clock += 60_000;
    await c.tick(agent);
    const ended = await c.significance(x5!.id);
    expect(ended?.verdict).toBeUndefined();
    expect(ended?.experiment.endedAt).toBeDefined();
    expect(ended?.analysis.arms.ml.outcomes).toBe(200);
    expect(await c.significance('00000000-0000-7000-8000-000000000000')).toBeUndefined();
  });

  it('a rollback by command records the reason given, calls onRollback and onChange, and reports an onRollback failure', async () => {
    const errors: [unknown, string | undefined][] = [];
    const rolled: [string, string][] = [];
    const fail = new Error('alias move failed');
    const c = make({
      intervalMs: 0,
      onRollback: (a, why) => {
        rolled.push([a, why]);
        throw fail;
      },
      onError: (e, a) => void errors.push([e, a]),
    });
    await c.tick(agent);
    const r = await c.command(agent, { kind: 'rollback', reason: 'bad labels' }, { actor: 'bob' });
    expect(r).toMatchObject({ agent, version: 2, state: { phase: 'rolled_back', fromPercentage: 5, reason: 'bad labels' }, updatedBy: 'bob', reason: 'bad labels' });
    expect(rolled).toEqual([[agent, 'bad labels']]);
    expect(errors).toEqual([[fail, agent]]);
    expect(flags.get(`rollout-${agent}`)?.definition.metadata?.percentage).toBe(0);
    const last = (await store.readStream(`rollout-${agent}`)).at(-1)!;
    expect(last.metadata).toMatchObject({ actor: 'bob', reason: 'bad labels' });
    expect((last.data as { evidence?: { shadowBase?: unknown } }).evidence?.shadowBase).toEqual(shadow);
  });

  it('emergency rollback: agents in shadow are left alone, flag-only agents get onRollback, the default reason', async () => {
    const rolled: [string, string][] = [];
    const c = make({ intervalMs: 0, agents: () => [agent, `${agent}-shadow`], onRollback: (a, why) => void rolled.push([a, why]) });
    await c.tick(agent);
    await flags.put(`rollout-${agent}-flag`, rolloutFlag(`${agent}-flag`, 20), { actor: 'x' });
    await flags.put(`rollout-${agent}-zero`, rolloutFlag(`${agent}-zero`, 0), { actor: 'x' });
    const r = await c.emergencyRollback({ actor: 'oncall' });
    const mine = r.agents.filter((a) => a.startsWith(agent));
    expect(mine).toEqual([agent, `${agent}-flag`]);
    expect(rolled.filter(([a]) => a.startsWith(agent))).toEqual([
      [agent, 'emergency rollback'],
      [`${agent}-flag`, 'emergency rollback'],
    ]);
    expect((await c.status(`${agent}-shadow`)).state.phase).toBe('shadow');
    const [emergency] = (await store.readStream('rollout-emergency')).filter((e) => e.id === r.eventId);
    expect(emergency!.metadata).toMatchObject({ actor: 'oncall', reason: 'emergency rollback' });
    expect((emergency!.data as { before: Record<string, number> }).before).toMatchObject({ [agent]: 5, [`${agent}-flag`]: 20 });
    expect(Object.keys((emergency!.data as { before: Record<string, number> }).before)).not.toContain(`${agent}-zero`);
  });

  it('an approval without a reason is recorded as "approved <step>% by <actor>"', async () => {
    const c = make({ intervalMs: 0, policy: { minShadowOutcomes: 100, minSamplePerArm: 50, minStepDurationMs: 60_000, gates: [5] } });
    const held = await c.tick(agent);
    expect(held[0]!.verdict.reasons).toEqual(['waiting for approval to advance to 5%', 'shadow: model 0.8000 vs rules 0.6000 on 500 outcomes']);
    const r = await c.approve(agent, { actor: 'olga' });
    expect(r.approval).toMatchObject({ actor: 'olga', reason: 'approved 5% by olga', percentage: 5, version: 0 });
    expect(r.changed?.after).toMatchObject({ phase: 'canary', percentage: 5 });
  });
});
