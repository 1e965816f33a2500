import type { OpeCandidate } from '../experiments/index.js';
import type { InstalledLearning } from './install-learning.js';

/**
 * The OPE gate's candidate of an agent (issue 12): its shadow model's predicted reward per
 * action. Only reward agents that explore have one: their log holds the propensities that let
 * the candidate be judged off-policy; without exploration the rules serve their own action with
 * propensity 1 and the log cannot support another policy (docs/bandits.md), so no gate applies
 * and the shadow comparison alone decides.
 */
export function opeCandidateFor(learning: Pick<InstalledLearning, 'agents' | 'serving'>): (agent: string) => OpeCandidate | undefined {
  return (agent) => {
    const def = learning.agents.get(agent);
    if (!def || def.feedback !== 'reward' || !def.exploration) return undefined;
    const model = learning.serving.shadow(agent);
    const score = model?.actionScores;
    if (!score || !model.actions) return undefined;
    return { actions: model.actions, rewards: (features) => score(features).scores };
  };
}
