import { DETEKTOR_SERVICES, deploymentSpecialist } from '../deployment-specialist.js';
import { sigmoid } from '../internal/rng.js';
import type { World } from '../internal/world.js';

const SERVICE_EFFECT: Record<string, number> = { 'detector-api': 0.3, 'stream-ingest': 0.9, tracker: 0.4, dashboard: -0.9, 'labeling-tool': -0.6 };
/** Reward of each strategy when the release works / fails (a caught failure costs less). */
const REWARD: Record<string, readonly [ok: number, failed: number]> = {
  standard: [1, 0],
  canary: [0.85, 0.55],
  'stage-first': [0.7, 0.65],
};

/**
 * Hidden truth: P(failure) is logistic in size and core services (much worse with a
 * migration), new model weights (ignored by the rules), late Fridays, a rollback plan and
 * the service. The strategy does not change whether the release is broken, only what it
 * costs: standard is best below ~21% failure risk, canary up to ~60%, then stage-first.
 */
export const deploymentSpecialistWorld: World = {
  agent: deploymentSpecialist,
  unitPrefix: 'deploy',
  missingOutcomeRate: 0.02,
  optionalFields: ['coverageDelta', 'rollbackPlan', 'modelWeightsChanged', 'hourOfDay'],
  generate(rng) {
    const linesChanged = rng.logNormalInt(5, 1.2, 1);
    const filesTouched = Math.max(1, Math.round(linesChanged / rng.int(20, 80)));
    const coreServicesTouched = rng.weighted([[0, 5], [1, 3], [2, 1.5], [3, 0.5]] as const);
    const dayOfWeek = rng.weighted([[1, 3], [2, 3], [3, 3], [4, 3], [5, 2.5], [6, 0.3], [0, 0.2]] as const);
    const hourOfDay = rng.int(8, 19);
    const coverageDelta = Math.round(rng.normal() * 15) / 10;
    const hasMigration = rng.chance(0.15);
    const modelWeightsChanged = rng.chance(0.2);
    const rollbackPlan = rng.chance(0.5);
    const service = rng.pick(DETEKTOR_SERVICES);
    let z = -3 + 0.0012 * Math.min(linesChanged, 3000) + 0.9 * coreServicesTouched * (hasMigration ? 1.6 : 1);
    z += (modelWeightsChanged ? 1.8 : 0) + (dayOfWeek === 5 && hourOfDay >= 15 ? 0.8 : 0) + (rollbackPlan ? -0.8 : 0);
    z += (SERVICE_EFFECT[service] ?? 0) - 0.1 * coverageDelta;
    const failed = rng.next() < sigmoid(z);
    const noise = 0.05 * rng.normal();
    return {
      context: { linesChanged, filesTouched, coreServicesTouched, dayOfWeek, hourOfDay, coverageDelta, hasMigration, modelWeightsChanged, rollbackPlan, service },
      outcome: (served) => {
        const [ok, bad] = REWARD[String(served)] ?? [0, 0];
        return { reward: Math.round(((failed ? bad : ok) + noise) * 1000) / 1000 };
      },
      delay: rng.int(2, 20),
      expected: (served) => {
        const [ok, bad] = REWARD[served] ?? [0, 0];
        const p = sigmoid(z);
        return p * bad + (1 - p) * ok;
      },
    };
  },
};
