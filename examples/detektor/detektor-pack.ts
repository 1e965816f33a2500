import { NotFoundError } from '../../src/core/errors.js';
import { DETEKTOR_AGENT_NAMES, type AgentDefinition, type DetektorAgent, type DetektorAgentName, type DeterministicPolicy } from './agent-definition.js';
import { architectureAdvisor } from './architecture-advisor.js';
import { codeReviewer } from './code-reviewer.js';
import { debuggerAgent } from './debugger.js';
import { deploymentSpecialist } from './deployment-specialist.js';
import { detektorCoder } from './detektor-coder.js';
import { documentationKeeper } from './documentation-keeper.js';
import { pisarz } from './pisarz.js';
import { prManager } from './pr-manager.js';

/** The eight Detektor agents by name: definitions and rules. */
export const DETEKTOR_AGENTS: Readonly<Record<DetektorAgentName, DetektorAgent>> = {
  'code-reviewer': codeReviewer,
  'deployment-specialist': deploymentSpecialist,
  'detektor-coder': detektorCoder,
  'architecture-advisor': architectureAdvisor,
  debugger: debuggerAgent,
  'documentation-keeper': documentationKeeper,
  pisarz,
  'pr-manager': prManager,
};

/** The agent called `name`; a `NotFoundError` for anything else. */
export function detektorAgent(name: string): DetektorAgent {
  const agent = (DETEKTOR_AGENTS as Partial<Record<string, DetektorAgent>>)[name];
  if (agent === undefined) throw new NotFoundError(`"${name}" is not a Detektor agent`);
  return agent;
}

/**
 * Register the eight definitions with their rules through a callback, so this pack does not
 * depend on the exact API of the agent registry. Returns what the callback returned, in order.
 * @example
 * registerDetektorAgents((definition, policy) => registry.register(definition, { policy }));
 */
export function registerDetektorAgents<R>(register: (definition: AgentDefinition, policy: DeterministicPolicy) => R): R[] {
  return DETEKTOR_AGENT_NAMES.map((name) => DETEKTOR_AGENTS[name]).map((a) => register(a.definition, a.rules));
}
