/**
 * The rollout controller's evidence gates (issue 12), on a fake clock and real logged data in
 * PGlite: the OPE gate at shadow → first step (a candidate worse than the rules by its DR
 * estimate is never advanced, a better one is), and the label-delay wait before a step is
 * judged (late outcomes: judged at once the better arm looks worse; the controller waits and
 * then judges it the right way).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventType, type NewEvent } from '../../core/index.js';
import type { EventStore } from '../../log/events/event-store.js';
import { createPgliteEventStore } from '../../log/events/pglite-event-store.js';
import { decisionsProjection } from '../../log/events/projections/decisions.js';
import { decisionEvent, outcomeEvent } from '../../log/events/testing/fixtures.js';
import { createOpeGateCheck } from '../analysis/ope-gate-check.js';
import type { OpeCandidate } from '../analysis/ope-gate.js';
import { createLocalFlagDistribution } from '../flags/store/flag-distribution.js';
import { type FlagStore, createFlagStore } from '../flags/store/flag-store.js';
import { flagsProjection } from '../flags/store/flags-projection.js';
import { mulberry32 } from '../ope/prng.js';
import type { RolloutPolicyLayer } from './resolve-policy.js';
import { RolloutController } from './rollout-controller.js';
import { describeState } from './rollout-state.js';
import { rolloutsProjection } from './rollouts-projection.js';
import { better, shadowLog, worse } from './testing/ope-world.js';

const MIN = 60_000;
let store: EventStore;
let flags: FlagStore;
beforeAll(async () => {
  store = await createPgliteEventStore({ dataDir: 'memory://', projections: [decisionsProjection, flagsProjection, rolloutsProjection] });
  await store.migrate();
  flags = await createFlagStore({ store, distribution: createLocalFlagDistribution({ channel: 'ctl-evidence' }), resyncIntervalMs: 0 });
});
afterAll(async () => {
  await flags.close();
  await store.close();
});

const rolloutEvents = async (agent: string, type: string) => (await store.readStream(`rollout-${agent}`)).filter((e) => e.type === type);

describe('OPE gate at shadow → canary', () => {
  const logShadow = async (agent: string, n: number, seed: number, t0: number): Promise<void> => {
    await store.append(shadowLog(agent, n, seed, t0));
  };

  const none = { units: 0, exposures: 0, outcomes: 0, mean: 0, variance: 0 };
  function controllerFor(agent: string, candidate: OpeCandidate, clock: { t: number }, policy: RolloutPolicyLayer = {}) {
    return new RolloutController({
      store,
      flags,
      agents: () => [agent],
      now: () => clock.t,
      intervalMs: 0,
      policy: { minShadowOutcomes: 100, ...policy },
      // The shadow comparison says the model is better in both cases: only the OPE gate tells them apart.
      shadowEvidence: () => ({ n: 1000, modelQuality: 0.8, rulesQuality: 0.7, higherIsBetter: true }),
      opeGate: createOpeGateCheck({ store, candidate: (a) => (a === agent ? candidate : undefined) }),
      readArms: () => Promise.resolve({ deterministic: none, ml: none }),
    });
  }

  it('(a) a candidate whose DR estimate is worse than the rules is never advanced; each change of evidence is audited', async () => {
    const agent = 'ope-worse';
    const t0 = Date.parse('2026-02-01T00:00:00Z');
    await logShadow(agent, 3000, 1, t0);
    const clock = { t: t0 + 3000_000 };
    const c = controllerFor(agent, worse, clock);
    for (let i = 0; i < 10; i++) {
      clock.t += MIN;
      const [r] = await c.tick(agent);
      expect(r!.verdict.action).toBe('hold');
    }
    const s = await c.status(agent);
    expect(describeState(s.state)).toBe('shadow');
    expect(s.ope).toMatchObject({ pass: false, n: 3000 });
    expect(s.ope!.interval.lower).toBeLessThan(s.ope!.servedValue);
    expect(s.ope!.dr.estimate).toBeLessThan(0.47);
    expect(s.verdict.reasons.at(-1)).toMatch(/^OPE: DR lower bound 0\.\d+ ≤ served 0\.\d+ \+ margin 0$/);
    // Ten looks at the same evidence: one audit event; new evidence: another.
    expect(await rolloutEvents(agent, EventType.OpeGateEvaluated)).toHaveLength(1);
    await logShadow(agent, 200, 2, clock.t);
    clock.t += 300_000;
    await c.tick(agent);
    const audited = await rolloutEvents(agent, EventType.OpeGateEvaluated);
    expect(audited.map((e) => (e.data as { n: number; pass: boolean }).n)).toEqual([3000, 3200]);
    expect(audited[1]!.metadata).toMatchObject({ actor: 'controller', reason: expect.stringMatching(/effective sample size/) });
    expect(await rolloutEvents(agent, EventType.RolloutStepChanged)).toHaveLength(0);
  });

  it('(b) a better candidate is advanced to the first step, the OPE evidence in its step event', async () => {
    const agent = 'ope-better';
    const t0 = Date.parse('2026-02-02T00:00:00Z');
    await logShadow(agent, 3000, 3, t0);
    const clock = { t: t0 + 3000_000 + MIN };
    const c = controllerFor(agent, better, clock);
    const before = await c.status(agent);
    expect(before.ope).toMatchObject({ pass: true });
    expect(before.ope!.interval.lower).toBeGreaterThan(before.ope!.servedValue);
    expect(before.ope!.dr.estimate).toBeGreaterThan(0.55);
    const [r] = await c.tick(agent);
    expect(r!.verdict).toMatchObject({ action: 'advance', reasons: [expect.stringMatching(/^shadow:/), expect.stringMatching(/effective sample size/), expect.stringMatching(/mean weight/), expect.stringMatching(/DR lower bound .* > served/)] });
    const after = await c.status(agent);
    expect(describeState(after.state)).toBe('canary-5');
    expect(after.ope).toBeUndefined();
    const [step] = await rolloutEvents(agent, EventType.RolloutStepChanged);
    expect((step!.data as { evidence: unknown }).evidence).toMatchObject({ ope: { pass: true, n: 3000, servedValue: before.ope!.servedValue } });
    expect(await rolloutEvents(agent, EventType.OpeGateEvaluated)).toHaveLength(1);
  });

  it('the policy\'s OPE margin and minimum effective sample size are the gate\'s', async () => {
    const agent = 'ope-margin';
    const t0 = Date.parse('2026-02-03T00:00:00Z');
    await logShadow(agent, 3000, 3, t0);
    const clock = { t: t0 + 3000_000 + MIN };
    const strict = controllerFor(agent, better, clock, { ope: { margin: 0.3 } });
    const s = await strict.status(agent);
    expect(s.ope).toMatchObject({ pass: false, margin: 0.3 });
    expect(s.verdict.action).toBe('hold');
    const thin = controllerFor(agent, better, clock, { ope: { minEffectiveSampleSize: 100_000 } });
    expect((await thin.status(agent)).ope).toMatchObject({ pass: false, minEffectiveSampleSize: 100_000 });
    expect((await thin.status(agent)).policy).toMatchObject({ opeMinEffectiveSampleSize: 100_000, opeMargin: 0 });
  });
});

describe('label-delay wait before a step is judged', () => {
  /**
   * The delayed-label world: `standard` (the rules) succeeds with p 0.6 and is reported after
   * 30 s; `canary` (the model) succeeds with p 0.75, but a success is reported only after a
   * one-hour soak while a failure is reported within a minute. Judged before the soak ends, the
   * canary's outcomes are mostly failures: the better arm looks worse.
   */
  const delayOf = (served: string, reward: number): number => (served === 'standard' ? 30_000 : reward === 1 ? 3_600_000 : 60_000);

  interface Pending {
    readonly at: number;
    readonly event: NewEvent;
  }

  /** The agent's history (the rules, exploring canary 30% of the time), outcomes all in; then the step's traffic at 1/s, outcomes queued by arrival. */
  function world(agent: string, seed: number, t0: number, stepStart: number) {
    const rnd = mulberry32(seed);
    const history: NewEvent[] = [];
    for (let i = 0; i < 600; i++) {
      const served = rnd() < 0.3 ? 'canary' : 'standard';
      const reward = rnd() < (served === 'canary' ? 0.75 : 0.6) ? 1 : 0;
      const at = t0 + i * 10_000;
      const d = decisionEvent({ agent, value: served, deterministic: 'standard' }, new Date(at));
      history.push(d, outcomeEvent(d.data.decisionId, { reward }, new Date(at + delayOf(served, reward))));
    }
    const pending: Pending[] = [];
    for (let i = 0; i < 800; i++) {
      const ml = i % 2 === 0;
      const served = ml ? 'canary' : 'standard';
      const reward = rnd() < (ml ? 0.75 : 0.6) ? 1 : 0;
      const at = stepStart + 1000 + i * 1000;
      const d = decisionEvent({ agent, unitId: `u-${i}`, value: served, deterministic: 'standard', variant: ml ? 'ml' : 'deterministic', source: ml ? 'ml' : 'deterministic' }, new Date(at));
      pending.push({ at, event: d }, { at: at + delayOf(served, reward), event: outcomeEvent(d.data.decisionId, { reward }, new Date(at + delayOf(served, reward))) });
    }
    pending.sort((a, b) => a.at - b.at);
    return { history, pending };
  }

  it('(c) judged at once the step rolls back its better model; the controller waits, says why, and then advances it', async () => {
    const t0 = Date.parse('2026-02-10T00:00:00Z');
    const stepStart = t0 + 7_200_000;
    const clock = { t: stepStart };
    const policy = { steps: [50, 100], stepRules: ['superiority' as const], minSamplePerArm: 100, minStepDurationMs: 5 * MIN, mde: 0.1 };
    const agents = { waiting: 'delay-waits', naive: 'delay-naive' };
    const c = new RolloutController({
      store,
      flags,
      agents: () => Object.values(agents),
      now: () => clock.t,
      intervalMs: 0,
      policy,
      policyFor: (a) => (a === agents.naive ? { minOutcomeCompleteness: 0 } : {}),
    });
    const queues = Object.values(agents).map((a, i) => {
      const w = world(a, 7, t0, stepStart); // the same seed: both agents see the same traffic and outcomes
      return { agent: a, i, ...w };
    });
    for (const q of queues) await store.append(q.history);
    for (const a of Object.values(agents)) await c.command(a, { kind: 'advance' }, { actor: 'test', reason: 'start the step' });

    const seen: Record<string, string[]> = { [agents.waiting]: [], [agents.naive]: [] };
    const reasons: string[] = [];
    let waitingAtEnd: { fraction: number; reason: string } | undefined;
    for (let guard = 0; clock.t < stepStart + 3 * 3_600_000; guard++) {
      clock.t += MIN;
      for (const q of queues) {
        const due = q.pending.filter((p) => p.at <= clock.t);
        q.pending = q.pending.filter((p) => p.at > clock.t);
        if (due.length > 0) await store.append(due.map((p) => p.event));
      }
      for (const [r] of [await c.tick(agents.waiting), await c.tick(agents.naive)]) {
        if (!r) continue;
        const s = describeState((await c.status(r.agent)).state);
        if (seen[r.agent]!.at(-1) !== s) seen[r.agent]!.push(s);
        if (r.agent === agents.waiting) reasons.push(r.verdict.reasons.join('; '));
      }
      // When the step's traffic has ended (after 800 s), the waiting controller says how far it is.
      if (clock.t >= stepStart + 15 * MIN && waitingAtEnd === undefined) {
        const s = await c.status(agents.waiting);
        waitingAtEnd = { fraction: s.outcomes!.fraction, reason: s.verdict.reasons.join('; ') };
      }
      if (seen[agents.waiting]!.at(-1) === 'canary-100' && seen[agents.naive]!.at(-1) === 'rolled_back') break;
    }
    // Judged without waiting: the canary failures came first, a "significant loss", rolled back.
    expect(seen[agents.naive]).toEqual(['canary-50', 'rolled_back']);
    const naiveBack = (await rolloutEvents(agents.naive, EventType.RolloutStepChanged)).at(-1)!;
    expect(naiveBack.metadata.reason).toMatch(/significant loss/);
    // Waiting: it held with the reason, never rolled back, and advanced once the soak was over.
    expect(seen[agents.waiting]).toEqual(['canary-50', 'canary-100']);
    expect(waitingAtEnd!.fraction).toBeLessThan(0.9);
    expect(waitingAtEnd!.reason).toMatch(/^waiting: \d+% of expected outcomes \(arm ml; judging at 90%\)$/);
    expect(reasons.filter((r) => r.startsWith('waiting:')).length).toBeGreaterThan(30);
    const advanced = (await rolloutEvents(agents.waiting, EventType.RolloutStepChanged)).at(-1)!;
    expect(advanced.metadata.reason).toMatch(/^superior on accuracy: effect \+0\.\d+/);
    expect(Date.parse(advanced.time) - stepStart).toBeGreaterThan(3_600_000); // not before the soak
    const evidence = (advanced.data as { evidence: { effect: number } }).evidence;
    expect(evidence.effect).toBeGreaterThan(0.05);
    // Audit: the wait began, and it ended.
    const checks = (await rolloutEvents(agents.waiting, EventType.OutcomeDelayChecked)).map((e) => e.data as { ready: boolean; reason: string });
    expect(checks.map((x) => x.ready)).toEqual([false, true]);
    expect(checks[1]!.reason).toMatch(/^outcomes in: \d+% of expected outcomes$/);
    expect(await rolloutEvents(agents.naive, EventType.OutcomeDelayChecked)).toHaveLength(0);
  }, 120_000);
});
