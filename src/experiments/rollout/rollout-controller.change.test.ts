import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../../log/events/event-store.js';
import { createPgliteEventStore } from '../../log/events/pglite-event-store.js';
import { decisionsProjection } from '../../log/events/projections/decisions.js';
import type { ArmSummary } from '../analysis/analyze-experiment.js';
import { createLocalFlagDistribution } from '../flags/store/flag-distribution.js';
import { createFlagStore } from '../flags/store/flag-store.js';
import { flagsProjection } from '../flags/store/flags-projection.js';
import type { ArmBatch } from '../stats/index.js';
import { createSeededRandom } from '../stats/testing/seeded-random.js';
import { RolloutController, type RolloutChangeDetectedData } from './rollout-controller.js';
import { describeState } from './rollout-state.js';
import { rolloutsProjection } from './rollouts-projection.js';

const BUCKET = 10_000;

describe('rollout controller: a change of the effect mid-step (change-aware analysis)', () => {
  let store: EventStore;
  beforeAll(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://', projections: [decisionsProjection, flagsProjection, rolloutsProjection] });
    await store.migrate();
  });
  afterAll(async () => store.close());

  it('detects the change, records it, never advances after it, and rolls back within 120 s', async () => {
    const agent = 'changer';
    const t0 = Date.parse('2025-05-01T00:00:00Z');
    let clock = t0;
    const changeAt = t0 + 12 * 60_000; // after the 10-minute minimum: the step could advance any time
    const rnd = createSeededRandom(16);
    // 50 outcomes/s split by the step's share; the model 10 points better, then 10 worse.
    let share = 0.05;
    const buckets: ArmBatch[] = [];
    const bern = (n: number, p: number) => {
      let s = 0;
      for (let i = 0; i < n; i++) if (rnd.uniform() < p) s++;
      return { n, sum: s, sumSq: s };
    };
    const fill = (until: number) => {
      while ((buckets.at(-1)?.start ?? t0 - BUCKET) + 2 * BUCKET <= until) {
        const start = (buckets.at(-1)?.start ?? t0 - BUCKET) + BUCKET;
        const ml = Math.round(500 * share);
        buckets.push({ start, a: bern(500 - ml, 0.7), b: bern(ml, start >= changeAt ? 0.6 : 0.8) });
      }
    };
    const sinceOf = (w: { since: string }) => Date.parse(w.since);
    const summary = (bs: ArmBatch[], k: 'a' | 'b'): ArmSummary => {
      const n = bs.reduce((s, b) => s + b[k].n, 0);
      const sum = bs.reduce((s, b) => s + b[k].sum, 0);
      const mean = n ? sum / n : 0;
      return { units: n, exposures: n, outcomes: n, mean, variance: n > 1 ? (sum - n * mean * mean) / (n - 1) : 0 };
    };
    const changes: RolloutChangeDetectedData[] = [];
    const flags = await createFlagStore({ store, distribution: createLocalFlagDistribution({ channel: 'ctl-change' }), resyncIntervalMs: 0 });
    const controller = new RolloutController({
      store,
      flags,
      agents: () => [agent],
      now: () => clock,
      intervalMs: 0,
      // A policy that would advance a superior model after 10 minutes; stepRules make 5% need superiority.
      policy: { minSamplePerArm: 100, minStepDurationMs: 10 * 60_000, bucketMs: BUCKET },
      readGuardrails: () => Promise.resolve({}),
      readBatches: (w) => {
        fill(clock);
        return Promise.resolve(buckets.filter((b) => b.start >= sinceOf(w)));
      },
      readArms: (w) => {
        const bs = buckets.filter((b) => b.start >= sinceOf(w));
        return Promise.resolve({ deterministic: summary(bs, 'a'), ml: summary(bs, 'b') });
      },
      onChangeDetected: (c) => void changes.push(c),
    });
    // The better model earns 25% at 10 minutes (superiority at 5%); the change comes at 12 minutes.
    await controller.command(agent, { kind: 'advance' }, { actor: 'test' });
    const seen: string[] = [];
    let rolledBackAt: number | undefined;
    let advancedAfterChange = false;
    while (clock < changeAt + 10 * 60_000) {
      clock += BUCKET;
      const [r] = await controller.tick(agent);
      const status = await controller.status(agent);
      share = status.percentage / 100;
      const step = describeState(status.state);
      if (seen.at(-1) !== step) seen.push(step);
      if (r?.changed?.command === 'advance' && clock > changeAt) advancedAfterChange = true;
      if (step === 'rolled_back') {
        rolledBackAt = clock;
        break;
      }
    }
    await controller.stop();
    await flags.close();
    expect(seen).toEqual(['canary-5', 'canary-25', 'rolled_back']);
    expect(advancedAfterChange).toBe(false);
    expect(rolledBackAt).toBeDefined();
    expect(rolledBackAt! - changeAt).toBeLessThanOrEqual(120_000);
    expect(changes.length).toBeGreaterThanOrEqual(1);
    expect(changes[0]).toMatchObject({ agent, metric: 'accuracy', change: { direction: 'down' } });
    const stored = await store.readStream(`rollout-change-${agent}`);
    expect(stored.map((e) => e.type)).toEqual(changes.map(() => 'RolloutChangeDetected'));
    expect(stored[0]?.metadata).toMatchObject({ actor: 'controller', reason: expect.stringMatching(/^effect moved down/) });
    const last = (await store.readStream(`rollout-${agent}`)).at(-1)!;
    expect(last.metadata.reason).toMatch(/^significant loss on accuracy: effect -0\.\d{3}/);
    expect(last.data).toMatchObject({ evidence: { metric: 'accuracy', changes: expect.any(Number) } });
  });
});
