import { deploymentSpecialistWorld } from './deployment-specialist.js';
import type { World } from '../internal/world.js';

/**
 * Deployment-specialist with delayed labels whose delay depends on what was served: a
 * standard release is judged within a few decisions, while canary and stage-first releases are
 * judged only after their soak period (40–80 decisions later) — unless they fail, which is
 * known at once. Early in a step, the observed outcomes of an arm that serves many canaries are
 * its failures: judged before the late outcomes are in, that arm looks worse than it is.
 */
export const delayedDeploymentWorld: World = {
  ...deploymentSpecialistWorld,
  missingOutcomeRate: 0,
  generate(rng) {
    const unit = deploymentSpecialistWorld.generate(rng);
    const soak = rng.int(40, 80);
    const fast = rng.int(1, 4);
    const delayFor = (served: string): number => {
      if (served === 'standard') return fast;
      // A failed canary (reward near its failure value 0.55) is known at once; stage-first is
      // always soaked (its failures are caught on staging, quietly).
      const o = unit.outcome(served);
      const failed = served === 'canary' && 'reward' in o && o.reward < 0.7;
      return failed ? fast : soak;
    };
    return { ...unit, delayFor };
  },
};
