import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventType, isApprenticeError } from '../../core/index.js';
import type { EventStore } from '../../log/events/event-store.js';
import { createPgliteEventStore } from '../../log/events/pglite-event-store.js';
import type { ArmSummary, ExperimentArms } from '../analysis/analyze-experiment.js';
import { createLocalFlagDistribution } from '../flags/store/flag-distribution.js';
import { createFlagStore } from '../flags/store/flag-store.js';
import { flagsProjection } from '../flags/store/flags-projection.js';
import { RolloutController } from './rollout-controller.js';
import { describeState } from './rollout-state.js';
import { rolloutsProjection } from './rollouts-projection.js';

const arm = (units: number, mean: number): ArmSummary => ({ units, exposures: units, outcomes: units, mean, variance: 0.16 });
const armsAt = (p: number): ExperimentArms => ({ deterministic: arm(40 * (100 - p), 0.6), ml: arm(40 * p, 0.8) });

describe('manual gates and per-agent policy (rollout controller)', () => {
  let store: EventStore;
  beforeAll(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://', projections: [flagsProjection, rolloutsProjection] });
    await store.migrate();
  });
  afterAll(async () => store.close());

  const setup = async (agent: string, own: Record<string, unknown>) => {
    let clock = Date.parse('2025-01-01T00:00:00Z');
    const flags = await createFlagStore({ store, distribution: createLocalFlagDistribution({ channel: `gates-${agent}` }) });
    const controller = new RolloutController({
      store,
      flags,
      agents: () => [agent],
      now: () => clock,
      intervalMs: 0,
      policy: { minShadowOutcomes: 10, minSamplePerArm: 50, minStepDurationMs: 60_000 },
      policyFor: (a) => (a === agent ? own : undefined),
      shadowEvidence: () => ({ n: 500, modelQuality: 0.8, rulesQuality: 0.6, higherIsBetter: true }),
      readGuardrails: () => Promise.resolve({}),
      readArms: async (w) => {
        const r = await store.query<{ percentage: number }>(`SELECT percentage FROM experiments WHERE agent = $1 AND started_at = $2`, [w.agent, w.since]);
        return armsAt(r[0]?.percentage ?? 0);
      },
    });
    const step = async () => {
      clock += 61_000;
      return (await controller.tick(agent))[0]!;
    };
    return { controller, flags, step };
  };

  it('runs the agent\'s own steps and holds at each gate, waiting for approval, until an operator approves', async () => {
    const agent = 'gated';
    const { controller, flags, step } = await setup(agent, { steps: [10, 40, 100], gates: [40, 100], minStepDurationMs: undefined });
    expect(controller.policyOf(agent).steps).toEqual([10, 40, 100]);
    // An explicit undefined keeps the value below it (60 s from the controller's policy).
    expect(controller.policyOf(agent).minStepDurationMs).toBe(60_000);
    expect(describeState((await step()).changed!.after)).toBe('canary-10');

    const held = await step();
    expect(held.changed).toBeUndefined();
    expect(held.verdict.action).toBe('hold');
    expect(held.verdict.reasons[0]).toBe('waiting for approval to advance to 40%');
    const status = await controller.status(agent);
    expect(status.gate).toEqual({ percentage: 40, approval: undefined });
    expect(flags.get('rollout-gated')).toBeDefined();

    const approved = await controller.approve(agent, { actor: 'olga', reason: 'CAB-42' });
    expect(describeState(approved.changed!.after)).toBe('canary-40');
    expect(approved.approval).toMatchObject({ actor: 'olga', reason: 'CAB-42', percentage: 40, version: 1 });
    const audit = (await store.readStream('rollout-gated')).filter((e) => e.type === EventType.RolloutGateApproved);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.metadata).toMatchObject({ actor: 'olga', reason: 'CAB-42' });

    // The approval was for 40% only: 100% is gated again.
    expect((await step()).verdict.reasons[0]).toBe('waiting for approval to advance to 100%');
    // Approved before the statistics allow: recorded, no advance until they do (here: at once, minimum duration met).
    const r = await controller.approve(agent, { actor: 'olga' });
    expect(describeState(r.changed!.after)).toBe('canary-100');
    expect((await step()).changed!.after.phase).toBe('promoted');
  });

  it('refuses an approval with no gate ahead (409)', async () => {
    const { controller, step } = await setup('ungated', { gates: [50] });
    await step();
    const e = await controller.approve('ungated', { actor: 'olga' }).catch((x: unknown) => x);
    expect(isApprenticeError(e) && e.code).toBe('CONFLICT');
  });

  it('an agent policy whose gate is not one of the merged steps is refused, naming the field', async () => {
    const { controller } = await setup('badgate', { steps: [20, 100], gates: [50] });
    expect(() => controller.policyOf('badgate')).toThrow('rollout.gates[0]: 50 is not one of the steps (20, 100)');
  });
});
