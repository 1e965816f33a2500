/**
 * Exploration for reward agents (contextual bandits): ε-greedy with decay, softmax and LinUCB,
 * bounded by the rules' allowed actions and a per-agent budget, each served action logged with
 * its exact propensity. See docs/bandits.md.
 */
export { boltzmann, mixWithGreedy, sampleIndex } from './action-distribution.js';
export { type EpsilonSchedule, decayedEpsilon } from './epsilon-schedule.js';
export { ExplorationBudget } from './exploration-budget.js';
export { BanditExplorer, type BanditExplorerOptions, type ExplorationStats } from './explorer.js';
export { LinUcb, type LinUcbJSON, type LinUcbOptions } from './lin-ucb.js';
