import { AUDIENCES, pisarz } from '../pisarz.js';
import type { World } from '../internal/world.js';

const TOPIC = ['detector', 'tracking', 'camera', 'calibration', 'export', 'dashboard', 'alerts', 'dataset', 'training', 'api'];
/** Mean rating of each format for each audience, before the complexity effect. */
const BASE: Record<string, Record<string, number>> = {
  operators: { 'short-note': 0.55, 'how-to': 0.75, 'full-guide': 0.35 },
  'ml-engineers': { 'short-note': 0.7, 'how-to': 0.5, 'full-guide': 0.45 },
  'new-contributors': { 'short-note': 0.2, 'how-to': 0.45, 'full-guide': 0.7 },
  management: { 'short-note': 0.8, 'how-to': 0.35, 'full-guide': 0.15 },
};
/** Change of the rating per complexity point above 3, by format. */
const COMPLEXITY_SLOPE: Record<string, number> = { 'short-note': -0.08, 'how-to': 0, 'full-guide': 0.08 };

/**
 * A reward world where the best action depends on the context and the truth is known exactly:
 * pisarz's rating is linear in the audience × format table and the feature's complexity, plus
 * Gaussian noise (sd 0.1, unclipped), so `expected(format)` is the mean rating. The rules only
 * look at complexity; the best format mostly follows the audience (management: short note,
 * new contributors: full guide...). Used by the bandit bench and the OPE tests, whose
 * "true value" of a policy is the mean of `expected` over contexts.
 */
export const pisarzAudienceWorld: World = {
  agent: pisarz,
  unitPrefix: 'doc',
  missingOutcomeRate: 0,
  optionalFields: [],
  generate(rng) {
    const audience = rng.pick(AUDIENCES);
    const featureComplexity = rng.int(1, 5);
    const changedScreens = rng.int(0, 3);
    const hasApiChanges = rng.chance(0.3);
    const relatedIssues = rng.int(0, 6);
    const topic = rng.text(TOPIC, rng.int(2, 4));
    const expected = (served: string): number => (BASE[audience]?.[served] ?? 0) + (COMPLEXITY_SLOPE[served] ?? 0) * (featureComplexity - 3);
    const noise = 0.1 * rng.normal();
    return {
      context: { topic, audience, featureComplexity, changedScreens, hasApiChanges, relatedIssues },
      outcome: (served) => ({ reward: expected(String(served)) + noise }),
      delay: rng.int(5, 40),
      expected,
    };
  },
};
