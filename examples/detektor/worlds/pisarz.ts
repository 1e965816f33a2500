import { AUDIENCES, pisarz } from '../pisarz.js';
import type { World } from '../internal/world.js';

const TOPIC = ['detector', 'tracking', 'camera', 'calibration', 'export', 'dashboard', 'alerts', 'dataset', 'training', 'api'];
/** How much depth each audience wants beyond the feature's complexity. */
const AUDIENCE_DEPTH: Record<string, number> = { operators: 0.3, 'ml-engineers': 0, 'new-contributors': 1.2, management: -1 };
const DEPTH: Record<string, number> = { 'short-note': 1, 'how-to': 2, 'full-guide': 3 };

/**
 * Hidden truth: readers want a depth of 0.5·complexity + an audience offset + 0.3 per changed
 * screen; the rating falls with the distance between that and the served format's depth.
 * A quarter of write-ups are never rated.
 */
export const pisarzWorld: World = {
  agent: pisarz,
  unitPrefix: 'doc',
  missingOutcomeRate: 0.25,
  optionalFields: ['changedScreens', 'relatedIssues', 'audience'],
  generate(rng) {
    const audience = rng.pick(AUDIENCES);
    const featureComplexity = rng.int(1, 5);
    const changedScreens = rng.weighted([[0, 4], [1, 2], [2, 1.5], [3, 1], [5, 0.5]] as const);
    const hasApiChanges = rng.chance(0.3);
    const relatedIssues = rng.int(0, 6);
    const topic = rng.text(TOPIC, rng.int(2, 4));
    const wanted = 0.5 * featureComplexity + (AUDIENCE_DEPTH[audience] ?? 0) + 0.3 * changedScreens + (hasApiChanges ? 0.3 : 0);
    const noise = 0.08 * rng.normal();
    return {
      context: { topic, audience, featureComplexity, changedScreens, hasApiChanges, relatedIssues },
      outcome: (served) => {
        const rating = 1 - 0.3 * Math.abs((DEPTH[String(served)] ?? 0) - wanted) ** 1.5 + noise;
        return { reward: Math.round(Math.min(1, Math.max(0, rating)) * 1000) / 1000 };
      },
      delay: rng.int(10, 80),
    };
  },
};
