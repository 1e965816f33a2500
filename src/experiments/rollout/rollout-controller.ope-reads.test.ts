/**
 * The OPE gate as the rollout status reads it (issue 12), on a fake clock and real logged data
 * in PGlite: a shadow hold names the OPE checks that fail whatever else holds it; a status read
 * serves the last evaluation instead of running the OPE over the log again (the count of gate
 * runs is the measure); another controller on the same log (an instance that is not the
 * leader) shows the leader's evidence; past shadow the status keeps the evidence the rollout
 * left shadow with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../../log/events/event-store.js';
import { createPgliteEventStore } from '../../log/events/pglite-event-store.js';
import { decisionsProjection } from '../../log/events/projections/decisions.js';
import { createOpeGateCheck } from '../analysis/ope-gate-check.js';
import type { OpeCandidate, OpeGateOptions } from '../analysis/ope-gate.js';
import { createLocalFlagDistribution } from '../flags/store/flag-distribution.js';
import { type FlagStore, createFlagStore } from '../flags/store/flag-store.js';
import { flagsProjection } from '../flags/store/flags-projection.js';
import type { RolloutPolicyLayer } from './resolve-policy.js';
import { RolloutController } from './rollout-controller.js';
import type { ShadowEvidence } from './rollout-policy.js';
import { describeState } from './rollout-state.js';
import { rolloutsProjection } from './rollouts-projection.js';
import { better, shadowLog, worse } from './testing/ope-world.js';

const MIN = 60_000;
let store: EventStore;
let flags: FlagStore;
beforeAll(async () => {
  store = await createPgliteEventStore({ dataDir: 'memory://', projections: [decisionsProjection, flagsProjection, rolloutsProjection] });
  await store.migrate();
  flags = await createFlagStore({ store, distribution: createLocalFlagDistribution({ channel: 'ctl-ope-reads' }), resyncIntervalMs: 0 });
});
afterAll(async () => {
  await flags.close();
  await store.close();
});

const logShadow = async (agent: string, n: number, seed: number, t0: number): Promise<void> => {
  await store.append(shadowLog(agent, n, seed, t0));
};

const none = { units: 0, exposures: 0, outcomes: 0, mean: 0, variance: 0 };
const SHADOW_OK: ShadowEvidence = { n: 1000, modelQuality: 0.8, rulesQuality: 0.7, higherIsBetter: true };

/** A controller whose OPE gate counts its runs. */
function controllerFor(agent: string, candidate: OpeCandidate, clock: { t: number }, o: { policy?: RolloutPolicyLayer; shadow?: ShadowEvidence | undefined } = {}) {
  const inner = createOpeGateCheck({ store, candidate: (a) => (a === agent ? candidate : undefined) });
  const runs = { n: 0 };
  const controller = new RolloutController({
    store,
    flags,
    agents: () => [agent],
    now: () => clock.t,
    intervalMs: 0,
    policy: { minShadowOutcomes: 100, ...o.policy },
    shadowEvidence: () => ('shadow' in o ? o.shadow : SHADOW_OK),
    opeGate: (a: string, since: string, options: OpeGateOptions) => {
      runs.n++;
      return inner(a, since, options);
    },
    readArms: () => Promise.resolve({ deterministic: none, ml: none }),
  });
  return { controller, runs };
}

describe('a shadow hold names the OPE gate', () => {
  it('too few shadow outcomes and a candidate the DR bound does not support: both reasons, in the tick and in the status', async () => {
    const agent = 'reads-hold-both';
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    await logShadow(agent, 2000, 11, t0);
    const clock = { t: t0 + 2000_000 + MIN };
    const { controller } = controllerFor(agent, worse, clock, { shadow: { ...SHADOW_OK, n: 40 } });
    const [tick] = await controller.tick(agent);
    expect(tick!.verdict.action).toBe('hold');
    expect(tick!.verdict.reasons[0]).toBe('shadow outcomes 40 < 100');
    expect(tick!.verdict.reasons).toContainEqual(expect.stringMatching(/^OPE: DR lower bound 0\.\d+ ≤ served 0\.\d+ \+ margin 0$/));
    expect((await controller.status(agent)).verdict.reasons).toEqual(tick!.verdict.reasons);
  });

  it('no shadow evidence yet and too small an effective sample: the ESS is named', async () => {
    const agent = 'reads-hold-ess';
    const t0 = Date.parse('2026-03-02T00:00:00Z');
    await logShadow(agent, 300, 12, t0);
    const clock = { t: t0 + 300_000 + MIN };
    const { controller } = controllerFor(agent, better, clock, { shadow: undefined, policy: { ope: { minEffectiveSampleSize: 1000 } } });
    const s = await controller.status(agent);
    expect(s.verdict.action).toBe('hold');
    expect(s.verdict.reasons[0]).toBe('no shadow evidence');
    expect(s.verdict.reasons).toContainEqual(expect.stringMatching(/^OPE: effective sample size \d+\.\d < 1000 \(of 300 decisions\)$/));
  });

  it('a hold because of the gate alone says only the gate\'s checks; a passing gate adds nothing to another hold', async () => {
    const agent = 'reads-hold-gate';
    const t0 = Date.parse('2026-03-03T00:00:00Z');
    await logShadow(agent, 3000, 13, t0);
    const clock = { t: t0 + 3000_000 + MIN };
    const gateOnly = controllerFor(agent, better, clock, { policy: { ope: { minEffectiveSampleSize: 100_000 } } }).controller;
    const held = (await gateOnly.status(agent)).verdict;
    expect(held.action).toBe('hold');
    expect(held.reasons.every((r) => r.startsWith('OPE: '))).toBe(true);
    expect(held.reasons[0]).toMatch(/^OPE: effective sample size \d+\.\d < 100000/);
    const passing = controllerFor(agent, better, clock, { shadow: { ...SHADOW_OK, n: 40 }, policy: { ope: { minEffectiveSampleSize: 10 } } }).controller;
    const s = await passing.status(agent);
    expect(s.ope).toMatchObject({ pass: true });
    expect(s.verdict.reasons).toEqual(['shadow outcomes 40 < 100']);
  });
});

describe('status serves the last OPE evaluation', () => {
  it('repeated reads run the gate once per evaluation interval; concurrent reads share one run', async () => {
    const agent = 'reads-cache';
    const t0 = Date.parse('2026-03-04T00:00:00Z');
    await logShadow(agent, 1500, 14, t0);
    const clock = { t: t0 + 1500_000 + MIN };
    const { controller, runs } = controllerFor(agent, worse, clock);
    const first = await Promise.all(Array.from({ length: 5 }, () => controller.status(agent)));
    expect(runs.n).toBe(1);
    for (let i = 0; i < 20; i++) {
      clock.t += 400; // 8 s in all: within the default 10 s interval
      expect((await controller.status(agent)).ope).toEqual(first[0]!.ope);
    }
    expect(runs.n).toBe(1);
    clock.t += 2_000; // past the interval: one read runs it again
    await controller.status(agent);
    await controller.status(agent);
    expect(runs.n).toBe(2);
    // A tick always evaluates; its evidence is then served to reads until the next tick, however long.
    await controller.tick(agent);
    expect(runs.n).toBe(3);
    for (let i = 0; i < 10; i++) {
      clock.t += 10 * MIN;
      await controller.status(agent);
      expect(controller.latestEvidence(agent)?.ope?.n).toBe(1500);
    }
    expect(runs.n).toBe(3);
    await logShadow(agent, 100, 15, clock.t - 200_000);
    await controller.tick(agent);
    expect(runs.n).toBe(4);
    expect((await controller.status(agent)).ope?.n).toBe(1600);
    expect(runs.n).toBe(4);
  });

  it('another controller on the same log (not the leader) shows the leader\'s evidence and verdict without running the gate', async () => {
    const agent = 'reads-fleet';
    const t0 = Date.parse('2026-03-05T00:00:00Z');
    await logShadow(agent, 2000, 16, t0);
    const clock = { t: t0 + 2000_000 + MIN };
    const leader = controllerFor(agent, worse, clock);
    const follower = controllerFor(agent, worse, clock);
    const [tick] = await leader.controller.tick(agent);
    expect(leader.runs.n).toBe(1);
    await follower.controller.agents(); // catches up with the log, as a scrape does
    expect(follower.controller.latestEvidence(agent)?.ope).toMatchObject({ pass: false, n: 2000 });
    for (let i = 0; i < 5; i++) {
      clock.t += 10 * MIN;
      const s = await follower.controller.status(agent);
      const own = leader.controller.latestEvidence(agent)!.ope!;
      expect(s.ope).toMatchObject({ pass: own.pass, n: own.n, dr: own.dr, interval: own.interval, servedValue: own.servedValue, effectiveSampleSize: own.effectiveSampleSize });
      expect(s.verdict.reasons).toEqual(tick!.verdict.reasons);
    }
    expect(follower.runs.n).toBe(0);
    // New evidence on the leader reaches the follower through the log.
    await logShadow(agent, 300, 17, clock.t - 400_000);
    await leader.controller.tick(agent);
    expect((await follower.controller.status(agent)).ope?.n).toBe(2300);
    expect(follower.runs.n).toBe(0);
    // Evidence judged under other gate settings is not served: the follower evaluates its own.
    const strict = controllerFor(agent, worse, clock, { policy: { ope: { margin: 0.1 } } });
    expect((await strict.controller.status(agent)).ope).toMatchObject({ margin: 0.1, n: 2300 });
    expect(strict.runs.n).toBe(1);
  });

  it('past shadow the status keeps the OPE evidence the rollout left shadow with', async () => {
    const agent = 'reads-admission';
    const t0 = Date.parse('2026-03-06T00:00:00Z');
    await logShadow(agent, 3000, 18, t0);
    const clock = { t: t0 + 3000_000 + MIN };
    const { controller } = controllerFor(agent, better, clock);
    expect((await controller.status(agent)).admission).toBeUndefined();
    const [tick] = await controller.tick(agent);
    expect(tick!.verdict.action).toBe('advance');
    const s = await controller.status(agent);
    expect(describeState(s.state)).toBe('canary-5');
    expect(s.ope).toBeUndefined();
    expect(s.admission).toMatchObject({ version: 1, ope: { pass: true, n: 3000 } });
    const a = s.admission!.ope as { lower: number; servedValue: number; margin: number };
    expect(a.lower).toBeGreaterThan(a.servedValue + a.margin);
    // Another controller reads it from the log; an operator's advance out of shadow carries none.
    expect((await controllerFor(agent, better, clock).controller.status(agent)).admission).toEqual(s.admission);
    await controller.command(agent, { kind: 'rollback', reason: 'test' }, { actor: 'test' });
    expect((await controller.status(agent)).admission).toBeUndefined();
    await controller.command(agent, { kind: 'advance' }, { actor: 'test' }); // rolled_back → shadow
    await controller.command(agent, { kind: 'advance' }, { actor: 'test' }); // shadow → canary, by hand
    expect((await controller.status(agent)).admission).toBeUndefined();
  });
});
