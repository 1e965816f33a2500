import { ARCHITECTURE_VERDICTS, architectureAdvisor } from '../architecture-advisor.js';
import { noisyLabel, type World } from '../internal/world.js';

const COMMON = ['add', 'support', 'for', 'the', 'detector', 'new', 'module', 'service', 'config', 'pipeline'];
/** Words that make a proposal heavier (+) or lighter (−) than its numbers say. */
const LOADED: Record<string, number> = { realtime: 1.2, gpu: 1, multicamera: 1.5, rename: -1.2, cleanup: -1, flag: -0.6 };

/**
 * Hidden truth: a latent scope score (modules, API, schema changes that matter far more in
 * the inference pipeline, dependencies, size, loaded words) cut into three bands; 5% noise.
 */
export const architectureAdvisorWorld: World = {
  agent: architectureAdvisor,
  unitPrefix: 'proposal',
  missingOutcomeRate: 0.08,
  optionalFields: ['storyPoints', 'newDependencies', 'touchesInferencePipeline'],
  generate(rng) {
    const modulesAffected = rng.weighted([[1, 4], [2, 3], [3, 2], [4, 1], [5, 0.5]] as const);
    const newDependencies = rng.weighted([[0, 6], [1, 2.5], [2, 1], [3, 0.5], [4, 0.2]] as const);
    const publicApiChanges = rng.chance(0.3);
    const dataSchemaChange = rng.chance(0.2);
    const touchesInferencePipeline = rng.chance(0.35);
    const storyPoints = rng.pick([1, 2, 3, 5, 8, 13]);
    const loaded = rng.chance(0.5) ? rng.pick(Object.keys(LOADED)) : undefined;
    const proposal = [rng.text(COMMON, rng.int(3, 7)), ...(loaded === undefined ? [] : [loaded])].join(' ');
    let score = 0.5 * modulesAffected + (publicApiChanges ? 1.2 : 0) + (dataSchemaChange ? 1.5 * (touchesInferencePipeline ? 1.8 : 1) : 0);
    score += 0.6 * newDependencies + 0.08 * storyPoints + (loaded === undefined ? 0 : (LOADED[loaded] ?? 0)) + 0.5 * rng.normal();
    const label = noisyLabel(rng, score < 2 ? 'approve' : score < 4 ? 'design-review' : 'rfc', ARCHITECTURE_VERDICTS, 0.05);
    return {
      context: { proposal, modulesAffected, newDependencies, publicApiChanges, dataSchemaChange, touchesInferencePipeline, storyPoints },
      outcome: () => ({ label }),
      delay: rng.int(10, 60),
    };
  },
};
