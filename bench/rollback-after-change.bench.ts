import { createPgliteEventStore } from '../src/log/events/pglite-event-store.js';
import { decisionsProjection } from '../src/log/events/projections/decisions.js';
import type { ArmSummary } from '../src/experiments/analysis/analyze-experiment.js';
import { createLocalFlagDistribution } from '../src/experiments/flags/store/flag-distribution.js';
import { createFlagStore } from '../src/experiments/flags/store/flag-store.js';
import { flagsProjection } from '../src/experiments/flags/store/flags-projection.js';
import { rolloutPercentage } from '../src/experiments/flags/rollout-flag.js';
import { DEFAULT_CONTROLLER_INTERVAL_MS, RolloutController } from '../src/experiments/rollout/rollout-controller.js';
import { DEFAULT_ROLLOUT_POLICY } from '../src/experiments/rollout/rollout-policy.js';
import { rolloutsProjection } from '../src/experiments/rollout/rollouts-projection.js';
import type { ArmBatch } from '../src/experiments/stats/index.js';
import { createSeededRandom } from '../src/experiments/stats/testing/seeded-random.js';
import { type BenchSuite, type Figure, fig } from './harness.js';

/**
 * `rollback-after-change` (issue 16): time from a concept change to 0% ml, on simulated time.
 * 50 decisions/s with a 5% canary; before the change the model is right 80% of the time and the
 * rules 70%; at the change the model drops to 60% (10 points worse than the rules). The real
 * `RolloutController` (default policy, default 10 s interval) reads the step's outcomes in 10 s
 * buckets from a seeded generator and is ticked on a fake clock; the change comes at a seeded
 * moment 1–9 minutes into the step (before the 10-minute minimum). Figure: median over seeds of
 * (clock when the rollout flag reads 0%) − (change); every run must also never advance between
 * the change and the rollback.
 */
const SEEDS = 15;
const RATE = 50;
const BUCKET = DEFAULT_ROLLOUT_POLICY.bucketMs;
const TICK = DEFAULT_CONTROLLER_INTERVAL_MS;

const summary = (bs: readonly ArmBatch[], k: 'a' | 'b'): ArmSummary => {
  const n = bs.reduce((s, b) => s + b[k].n, 0);
  const sum = bs.reduce((s, b) => s + b[k].sum, 0);
  const mean = n ? sum / n : 0;
  return { units: n, exposures: n, outcomes: n, mean, variance: n > 1 ? (sum - n * mean * mean) / (n - 1) : 0 };
};

async function run(): Promise<Figure[]> {
  const store = await createPgliteEventStore({ dataDir: 'memory://', projections: [decisionsProjection, flagsProjection, rolloutsProjection] });
  await store.migrate();
  const times: number[] = [];
  let advancedAfterChange = 0;
  let notRolledBack = 0;
  try {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const agent = `change-${seed}`;
      const rnd = createSeededRandom(1000 + seed);
      const t0 = Date.parse('2026-01-01T00:00:00Z') + seed * 86_400_000;
      const changeAt = t0 + Math.round(60_000 + rnd.uniform() * 8 * 60_000);
      let clock = t0;
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
          const total = (RATE * BUCKET) / 1000;
          const ml = Math.round(total * share);
          buckets.push({ start, a: bern(total - ml, 0.7), b: bern(ml, start >= changeAt ? 0.6 : 0.8) });
        }
      };
      const since = (w: { since: string }) => Date.parse(w.since);
      const flags = await createFlagStore({ store, distribution: createLocalFlagDistribution({ channel: `bench-change-${seed}` }), resyncIntervalMs: 0 });
      const controller = new RolloutController({
        store,
        flags,
        agents: () => [agent],
        now: () => clock,
        intervalMs: 0,
        readGuardrails: () => Promise.resolve({}),
        readBatches: (w) => {
          fill(clock);
          return Promise.resolve(buckets.filter((b) => b.start >= since(w)));
        },
        readArms: (w) => {
          const bs = buckets.filter((b) => b.start >= since(w));
          return Promise.resolve({ deterministic: summary(bs, 'a'), ml: summary(bs, 'b') });
        },
      });
      await controller.command(agent, { kind: 'advance' }, { actor: 'bench' });
      let rolledBackAt: number | undefined;
      while (clock < changeAt + 15 * 60_000) {
        clock += TICK;
        const [r] = await controller.tick(agent);
        if (r?.changed?.command === 'advance' && clock > changeAt) advancedAfterChange++;
        const flag = flags.get(`rollout-${agent}`);
        const pct = flag ? (rolloutPercentage(flag.definition) ?? 0) : 0;
        share = pct / 100;
        if (pct === 0 && (await controller.status(agent)).state.phase === 'rolled_back') {
          rolledBackAt = clock;
          break;
        }
      }
      await controller.stop();
      await flags.close();
      if (rolledBackAt === undefined || rolledBackAt < changeAt) notRolledBack++;
      else times.push(rolledBackAt - changeAt);
    }
  } finally {
    await store.close();
  }
  const sorted = [...times].sort((x, y) => x - y);
  const median = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : Infinity;
  const s = (ms: number) => `${Math.round(ms / 1000)} s`;
  return [
    fig({
      name: 'rollback-after-change',
      value: median / 1000,
      unit: 's',
      target: '<= 120 (median), never advanced in between',
      ok: median <= 120_000 && advancedAfterChange === 0 && notRolledBack === 0,
      note: `simulated time, ${SEEDS} seeds, 50 decisions/s, 5% canary, model 0.8→0.6 vs rules 0.7 at a seeded moment 1–9 min into the step; default policy, tick ${TICK / 1000} s; min ${s(sorted[0] ?? NaN)}, max ${s(sorted.at(-1) ?? NaN)}; ${notRolledBack} not rolled back within 15 min (or before the change), ${advancedAfterChange} advanced after the change`,
    }),
  ];
}

const suite: BenchSuite = { name: 'rollback-after-change', figures: ['rollback-after-change'], run };
export default suite;
