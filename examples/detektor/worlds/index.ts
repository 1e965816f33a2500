import type { DetektorAgentName } from '../agent-definition.js';
import type { World } from '../internal/world.js';
import { architectureAdvisorWorld } from './architecture-advisor.js';
import { codeReviewerWorld } from './code-reviewer.js';
import { debuggerWorld } from './debugger.js';
import { deploymentSpecialistWorld } from './deployment-specialist.js';
import { detektorCoderWorld } from './detektor-coder.js';
import { documentationKeeperWorld } from './documentation-keeper.js';
import { pisarzWorld } from './pisarz.js';
import { prManagerWorld } from './pr-manager.js';

/** The hidden world model of each agent (simulator only). */
export const DETEKTOR_WORLDS: Readonly<Record<DetektorAgentName, World>> = {
  'code-reviewer': codeReviewerWorld,
  'deployment-specialist': deploymentSpecialistWorld,
  'detektor-coder': detektorCoderWorld,
  'architecture-advisor': architectureAdvisorWorld,
  debugger: debuggerWorld,
  'documentation-keeper': documentationKeeperWorld,
  pisarz: pisarzWorld,
  'pr-manager': prManagerWorld,
};

export { pisarzAudienceWorld } from './contextual-rewards.js';
export { delayedDeploymentWorld } from './delayed-labels.js';
